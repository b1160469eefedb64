/**
 * FlexMoE's tooling: fleets and experiments of real processes, central training, the benchmark
 * suites and the load generator. The `flexmoe` commands are the `./cli/*` exports.
 */
export type { BenchRow } from './bench/rows';
export { benchDataLoading } from './bench/data';
export { withCpuHogs } from './bench/cpu-hogs';
export { FLEXMOE_BIN, TOOLS_ROOT } from './paths';
export { runFleet } from './experiment/fleet-runner';
export { FLEET_COMMAND, fleetConfig } from './experiment/options';
export { FleetError } from './experiment/errors';
export { runScaleCase } from './loadgen/scale-case';
export { measureClientMemory } from './bench/client-memory';
export type { ClientMemoryOptions, ClientMemoryResult } from './bench/client-memory';
export { memoryCgroupSupport } from './bench/cgroup';
export { CoordinatorProcess } from './loadgen/coordinator-process';
export { LoadGenerator } from './loadgen/loadgen';
export type { LoadGenOptions, LoadReport } from './loadgen/loadgen';
export { parseDistribution } from './loadgen/distributions';
