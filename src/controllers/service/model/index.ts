// The model layer (pure): inputs → the desired SLB, its names and its hash.
export * from './build.js';
export * from './backends.js';
export * from './eni.js';
export * from './readiness.js';
export * from './naming.js';
export * from './listener-fields.js';
export * from './checks.js';
export * from './hash.js';
