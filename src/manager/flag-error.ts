// The error a bad flag throws: the manager prints its message as one `error:` line and exits 1.
// Its own module so the two flag tables (flags.ts, serving.ts) can share it without importing
// each other.
export class FlagError extends Error {
  override name = 'FlagError';
}
