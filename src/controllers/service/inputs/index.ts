// The inputs layer: the Kubernetes shapes one sync reads, and the cloud reads through the port.
export * from './objects.js';
export * from './observe.js';
export * from './batch-read.js';
export * from './eni-resolver.js';
export * from './pods.js';
export * from './lookups.js';
