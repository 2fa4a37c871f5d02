// What a scenario is and what it reports. Each scenario returns figures (printed by the runner)
// and failures (empty = pass); a thrown error is a failure too. The runner enforces the time limit.
export type Size = 'full' | 'short';

export interface ScenarioResult {
  figures: Record<string, string | number>;
  failures: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Hard limit per size; the runner abandons the scenario (and fails it) beyond it. */
  limitMs: Record<Size, number>;
  run(size: Size, ctx: RunContext): Promise<ScenarioResult>;
}

export interface RunContext {
  seed: number;
  log(line: string): void;
  /** Registers cleanup (processes, emulators) that runs after the scenario, even past its limit. */
  defer(fn: () => Promise<void> | void): void;
}

/** Collects failures with a short, uniform wording. */
export class Checks {
  readonly failures: string[] = [];
  that(ok: boolean, what: string): void {
    if (!ok) this.failures.push(what);
  }
  list(label: string, items: string[], max = 8): void {
    if (items.length === 0) return;
    this.failures.push(
      `${label} (${items.length}): ${items.slice(0, max).join('; ')}${items.length > max ? '; …' : ''}`,
    );
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Outcome {
  id: string;
  title: string;
  passed: boolean;
  ms: number;
  figures: Record<string, string | number>;
  failures: string[];
}

/** Runs one scenario under its hard limit, then its cleanups (newest first), whatever happened. */
export async function runScenario(
  sc: Scenario,
  size: Size,
  seed: number,
  log: (line: string) => void,
): Promise<Outcome> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const limitMs = sc.limitMs[size];
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`exceeded its hard time limit of ${Math.round(limitMs / 1000)} s`)),
      limitMs,
    );
  });
  let result: ScenarioResult;
  try {
    const running = sc.run(size, { seed, log, defer: (fn) => cleanups.push(fn) });
    running.catch(() => undefined); // past the limit its late failure no longer matters
    result = await Promise.race([running, limit]);
  } catch (err) {
    result = { figures: {}, failures: [`${err instanceof Error ? err.message : String(err)}`] };
  } finally {
    clearTimeout(timer);
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`  cleanup failed: ${String(err)}`);
      }
    }
  }
  return {
    id: sc.id,
    title: sc.title,
    passed: result.failures.length === 0,
    ms: Date.now() - started,
    figures: result.figures,
    failures: result.failures,
  };
}
