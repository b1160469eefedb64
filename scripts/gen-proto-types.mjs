// Generates the TypeScript types of the gRPC protocol from proto/ with proto-loader-gen-types
// (ships with @grpc/proto-loader). Output: proto/src/generated/ (never edited by hand).
// The options here must match LOADER_OPTIONS in proto/src/loader.ts.
// Usage: node scripts/gen-proto-types.mjs
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'proto', 'src', 'generated');
const protos = ['flexmoe/v1/coordinator.proto', 'grpc/health/v1/health.proto'];

rmSync(outDir, { recursive: true, force: true });
const bin = join(root, 'node_modules', '.bin', 'proto-loader-gen-types');
const args = [
  '--grpcLib=@grpc/grpc-js',
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
  '--includeDirs=proto',
  '--outDir=proto/src/generated',
  ...protos,
];
const result = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('proto type generation failed');
  process.exit(result.status ?? 1);
}
console.log(`generated protocol types in ${outDir}`);
