/**
 * Loads the protocol's package definition from the `.proto` files this package carries (found
 * from the package's own root, not the working directory) with the options the generated types
 * were produced with.
 */
import * as path from 'node:path';
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

/** Absolute path of the folder holding `flexmoe/v1/*.proto`: this package's root. */
export function protoRoot(): string {
  return path.dirname(require.resolve('@flexmoe/proto/package.json'));
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
