// Test fault hooks: drop every open watch, fail the next watch with 410, add latency, fail requests.

export interface FaultState {
  latencyMs: number;
  goneNextWatch: boolean;
  failNext: { remaining: number; status: number };
}

export interface FaultControls {
  dropWatches(): void;
  forceGoneOnNextWatch(): void;
  setLatencyMs(ms: number): void;
  failNextRequests(n: number, status: number): void;
}

export function newFaultState(): FaultState {
  return { latencyMs: 0, goneNextWatch: false, failNext: { remaining: 0, status: 500 } };
}

/** Consume one forced failure; returns the status to fail with, if any. */
export function takeForcedFailure(f: FaultState): number | undefined {
  if (f.failNext.remaining <= 0) return undefined;
  f.failNext.remaining--;
  return f.failNext.status;
}

export function takeGone(f: FaultState): boolean {
  const g = f.goneNextWatch;
  f.goneNextWatch = false;
  return g;
}
