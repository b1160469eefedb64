export * from './errors';
export * from './logging';
