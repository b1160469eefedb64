export * from './fitness-matrix';
export * from './deficits';
export * from './bounds';
export * from './load-metrics';
export * from './balanced-load';
