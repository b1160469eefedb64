#!/usr/bin/env node
'use strict';
// The one `flexmoe` binary: a table from command to the package module that runs it, loaded
// through that package's `exports` (`@flexmoe/<package>/cli/<module>`). Every command module
// exports `run(argv: string[]): Promise<number>` (the exit code).

// Tensor checksums use zlib.crc32, which Node.js has since 20.15: refuse to start on an older
// runtime instead of failing in the middle of the first transfer.
const MIN_NODE = [20, 15];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]) || typeof require('node:zlib').crc32 !== 'function') {
  console.error(`flexmoe: Node.js >= ${MIN_NODE.join('.')} is required (this is ${process.version})`);
  process.exit(1);
}

const commands = {
  server: ['@flexmoe/server', 'cli/server', 'the coordinator'],
  client: ['@flexmoe/client', 'cli/client', 'a client daemon'],
  fleet: ['@flexmoe/tools', 'cli/fleet', 'a coordinator and N client daemons on this machine'],
  experiment: ['@flexmoe/tools', 'cli/experiment', 'compare strategies over seeds'],
  train: ['@flexmoe/tools', 'cli/train', 'central training of the whole MoE (the reference)'],
  solve: ['@flexmoe/server', 'cli/solve', 'solve and explain one assignment problem'],
  bench: ['@flexmoe/tools', 'cli/bench', 'the benchmark table'],
  loadgen: ['@flexmoe/tools', 'cli/loadgen', 'many simulated clients against a coordinator'],
};

function usage() {
  const lines = ['usage: flexmoe <command> [--plugin FILE]... [options]', '', 'commands:'];
  for (const [name, [, , what]] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)}${what}`);
  lines.push(
    '',
    'Run `flexmoe <command> --help` for the options of a command.',
    '--plugin FILE (any command, repeatable; or FLEXMOE_PLUGINS): import FILE first, so the',
    'backbones and strategies it registers can be named; the command passes it on to its',
    'training worker and to the processes it starts.',
  );
  return lines.join('\n');
}

/** A usage error: exit 2. */
function usageError(message) {
  return Object.assign(new Error(message), { code: 'FLEXMOE_ERR_CONFIG' });
}

/** Splits `--plugin FILE` / `--plugin=FILE` out of a command's arguments. */
function takePlugins(args) {
  const rest = [];
  const files = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--plugin') {
      if (i + 1 >= args.length) throw usageError('--plugin needs a file');
      files.push(args[++i]);
    } else if (a.startsWith('--plugin=')) files.push(a.slice('--plugin='.length));
    else rest.push(a);
  }
  return { rest, files };
}

/**
 * Loads the plugin files (FLEXMOE_PLUGINS first, then the flags) in this thread and names them
 * all, as absolute paths, in FLEXMOE_PLUGINS for the worker threads and child processes.
 */
async function loadPlugins(files) {
  const shared = require('@flexmoe/shared');
  const all = [...shared.pluginPaths(), ...files];
  if (all.length === 0) return;
  const loaded = await shared.loadPlugins(all);
  process.env[shared.PLUGINS_ENV] = [...new Set(loaded)].join(require('node:path').delimiter);
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`flexmoe: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const { rest: args, files } = takePlugins(rest);
  await loadPlugins(files);
  const specifier = `${entry[0]}/${entry[1]}`;
  let mod;
  try {
    mod = require(specifier);
  } catch (err) {
    // The package is not installed here (an image carries only its own packages), or its
    // `exports` point at a build output that does not exist yet.
    const message = String(err && err.message);
    if (err && err.code === 'MODULE_NOT_FOUND' && (message.includes(`'${specifier}'`) || message.includes(`${entry[1]}.js'`))) {
      console.error(`flexmoe: command '${name}' is not built (run \`npm run build\`) or its package ${entry[0]} is not installed`);
      return 2;
    }
    throw err;
  }
  return mod.run(args);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code ?? 0; },
  (err) => {
    const code = err && err.code ? ` [${err.code}]` : '';
    console.error(`flexmoe: ${err && err.message ? err.message : err}${code}`);
    if (process.env.FLEXMOE_DEBUG) console.error(err);
    // A bad flag or option value is a usage error (exit 2, like an unknown command); the rest 1.
    process.exitCode = err && err.code === 'FLEXMOE_ERR_CONFIG' ? 2 : 1;
  },
);
