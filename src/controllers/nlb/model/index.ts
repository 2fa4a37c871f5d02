// The NLB model layer (pure): inputs → the desired NLB, its names and its hash.
export * from './build.js';
export * from './fields.js';
export * from './naming.js';
export * from './hash.js';
export * from './eni.js';
