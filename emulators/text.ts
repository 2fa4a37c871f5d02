// Request parameters and stored objects are `unknown` until a handler looks at them; echoing one
// back must never print "[object Object]", which neither the cloud nor the apiserver ever sends.

/** `String(v)` for scalars, JSON for objects and arrays. */
export function wireText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'undefined':
      return String(v);
    case 'function':
      return '[function]';
    default:
      return JSON.stringify(v);
  }
}
