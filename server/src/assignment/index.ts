/** The assignment solver layer's public API. */
export * from './types';
export { solveAssignment, SOLVE_DEFAULTS } from './solve';
export { validateProblem, toInstance, type Instance } from './instance';
export { generateProblem, type GeneratorOptions } from './generator';
export { runGlpk, type GlpkOutcome, type GlpkRunOptions } from './glpk-runner';
