// The message of anything thrown, for replies and log lines. The driver's own until the product's
// shared helper (src/util) exists on this branch; same contract, so swapping is an import change.

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
