// What the demo prints: one header per step with its timing, the kubectl commands a user would
// type with their real output, and what the cloud API answers. Kept apart from the steps so a
// test can run the demo silently and read the report instead of parsing text.
import { performance } from 'node:perf_hooks';

export type StepStatus = 'ok' | 'partial';

export interface StepReport {
  id: string;
  title: string;
  status: StepStatus;
  ms: number;
  /** Why part of the step did not run (not root, a tool missing); empty when nothing was skipped. */
  skipped: string[];
  /** What was observed, for the summary and for tests: name → value. */
  facts: Record<string, string>;
}

export class DemoOutput {
  private stepStart = 0;
  private current: StepReport | undefined;
  readonly steps: StepReport[] = [];
  private muted = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly color: boolean,
  ) {}

  private bold(s: string): string {
    return this.color ? `\x1b[1m${s}\x1b[0m` : s;
  }

  private dim(s: string): string {
    return this.color ? `\x1b[2m${s}\x1b[0m` : s;
  }

  line(text = ''): void {
    if (!this.muted) this.write(`${text}\n`);
  }

  /** After an interrupt the steps may run on a little while cleanup proceeds; they stay quiet. */
  mute(): void {
    this.muted = true;
  }

  step(id: string, title: string): StepReport {
    this.finishStep();
    const n = this.steps.length + 1;
    this.line();
    this.line(this.bold(`[${n}] ${title}`));
    this.stepStart = performance.now();
    this.current = { id, title, status: 'ok', ms: 0, skipped: [], facts: {} };
    this.steps.push(this.current);
    return this.current;
  }

  /** Closes the running step (called by the next step() and by finish()). */
  finishStep(): void {
    if (!this.current) return;
    this.current.ms = Math.round(performance.now() - this.stepStart);
    this.line(this.dim(`    (${(this.current.ms / 1000).toFixed(1)} s)`));
    this.current = undefined;
  }

  fact(name: string, value: string): void {
    if (this.current) this.current.facts[name] = value;
  }

  note(text: string): void {
    this.line(`  ${text}`);
  }

  ok(text: string): void {
    this.line(`  ${this.color ? '\x1b[32m✔\x1b[0m' : '✔'} ${text}`);
  }

  skip(why: string): void {
    if (this.current) {
      this.current.status = 'partial';
      this.current.skipped.push(why);
    }
    this.line(`  ${this.color ? '\x1b[33m⚠\x1b[0m' : '⚠'} skipped: ${why}`);
  }

  /**
   * A command as the user would type it, then its output indented under it. `shown` replaces
   * the quoted argv when the line reads better with shell variables (set by `variable()`).
   */
  command(argv: readonly string[], output: string, shown?: string): void {
    this.line(`  ${this.bold('$')} ${shown ?? argv.map(quoteArg).join(' ')}`);
    const body = output.replace(/\s+$/, '');
    if (body) this.line(body.replace(/^/gm, '    '));
  }

  /** A shell variable assignment that later commands refer to, for readability. */
  variable(name: string, value: string): void {
    this.line(`  ${this.bold('$')} ${name}=${quoteArg(value)}`);
  }

  /** What the cloud API reports, one indented line each. */
  cloud(title: string, lines: readonly string[]): void {
    this.line(`  ${this.bold('cloud')} ${title}`);
    for (const l of lines) this.line(`    ${l}`);
  }

  /** Since the process started (performance.now() counts from there), loading the demo included. */
  elapsedMs(): number {
    return Math.round(performance.now());
  }
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./~-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
