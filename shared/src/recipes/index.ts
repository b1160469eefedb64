/** Training recipes as plain data: central defaults, the coordinator's local recipe, and what a round task carries. */
export * from './train-recipes';
export * from './local-recipe';
export * from './task-optimizer';
export * from './local-options';
