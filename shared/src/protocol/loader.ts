/**
 * Loads the protocol's package definition from `proto/` (resolved relative to the repository,
 * not the working directory) with the options the generated types were produced with.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as CoordinatorProto } from './generated/coordinator';
import type { ProtoGrpcType as HealthProto } from './generated/health';

/** proto-loader options; must match scripts/gen-proto-types.mjs (the generated types assume them). */
export const LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** Absolute path of the repository's `proto/` directory, found by walking up from this file. */
export function protoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'proto', 'flexmoe', 'v1', 'coordinator.proto');
    if (fs.existsSync(candidate)) return path.join(dir, 'proto');
    dir = path.dirname(dir);
  }
  throw new Error(`proto/flexmoe/v1/coordinator.proto not found above ${__dirname}`);
}

let coordinatorCache: CoordinatorProto | undefined;
let healthCache: HealthProto | undefined;

function load<T>(file: string): T {
  const definition = protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
  return grpc.loadPackageDefinition(definition) as unknown as T;
}

/** The `flexmoe.v1` package: `loadProtocol().flexmoe.v1.Coordinator` is the client constructor and `.service` the definition. */
export function loadProtocol(): CoordinatorProto {
  coordinatorCache ??= load<CoordinatorProto>('flexmoe/v1/coordinator.proto');
  return coordinatorCache;
}

/** The standard `grpc.health.v1` package (Health service). */
export function loadHealthProtocol(): HealthProto {
  healthCache ??= load<HealthProto>('grpc/health/v1/health.proto');
  return healthCache;
}
