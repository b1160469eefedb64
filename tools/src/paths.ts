/**
 * Files the tooling starts by path, found from this package's own root (resolved through its
 * `exports`, so it holds for the built and the installed layout alike): the `flexmoe` CLI at the
 * workspace root that npm workspaces keep one folder above every package, and the PyTorch
 * baseline script this package carries.
 */
import * as path from 'node:path';

/** This package's folder (tools/). */
export const TOOLS_ROOT = path.dirname(require.resolve('@flexmoe/tools/package.json'));

/** The repository's `bin/flexmoe.js`. */
export const FLEXMOE_BIN = path.join(TOOLS_ROOT, '..', 'bin', 'flexmoe.js');
