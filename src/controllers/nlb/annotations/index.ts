// The NLB annotations layer (pure): what users write on a Service → typed, validated settings.
export * from './parse.js';
export * from './table.js';
export * from './values.js';
export * from './doc.js';
