// Waiting for an outcome the controllers produce asynchronously: bounded, with the last error
// in the message so a failed demo says what it was waiting for and what it saw instead.
/**
 * Aborted on Ctrl-C so that whatever step is running stops at its next wait or command instead of
 * creating things while the cleanup removes them. One per process: the demo runs once.
 */
export const stopDemo = new AbortController();

/** Throws once the demo was interrupted; called before every command a step runs. */
export function checkpoint(): void {
  stopDemo.signal.throwIfAborted();
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    checkpoint();
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
