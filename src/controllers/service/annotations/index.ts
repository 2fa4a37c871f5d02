// The annotations layer (pure): what users write on a Service → typed, validated settings.
export * from './parse.js';
export * from './table.js';
export * from './values.js';
export * from './reuse-grant.js';
export * from './doc.js';
export * from './gates.js';
export * from './cleanup-ownership.js';
