// The diff layer (pure): desired vs observed → an ordered plan, and the drift check's decisions.
export * from './changes.js';
export * from './attributes.js';
export * from './listeners.js';
export * from './vgroups.js';
export * from './match.js';
export * from './drift.js';
