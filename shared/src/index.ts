export * from './errors';
export * from './logging';
export * from './bench/rows';
export * from './config';
export * from './process-metrics';
export * from './proc-memory';
export * from './http-listen';
export * from './util/clock';
export { FakeClock } from './util/fake-clock';
