/** The typed protocol client and its parts: channels, call options, transfer results. */
export * from './channel';
export { identityMetadata, toCallError, type CallOptions } from './call';
export * from './protocol-client';
export type { DownloadExpectation, Downloaded } from './transfer';
