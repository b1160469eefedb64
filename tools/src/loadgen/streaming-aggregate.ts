/** The coordinator's streaming aggregation, re-exported for the load generator's memory benchmark. */
export { StreamingAggregator, type AggregatableUpdate } from '@flexmoe/server';
