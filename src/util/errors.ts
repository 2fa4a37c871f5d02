// Thrown values are not always Errors (a rejected promise can carry anything); logs and Events
// want one line of text either way. Callers still redact: this only extracts.

/** The message of an Error, or the string form of anything else that was thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
