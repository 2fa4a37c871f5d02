// Injected failures, so clients can be tested against the cloud's bad days: errors, latency,
// throttling, dropped connections and responses lost after the change was applied. Random
// decisions come from a seedable generator so a failing test can be replayed.
import { seededRandom } from '../random.js';

export interface FaultRule {
  /** Probability (0..1) of answering with `code`; defaults to 1 when `code` is given. */
  errorRate?: number;
  code?: string;
  httpStatus?: number;
  message?: string;
  /** Added before the request is handled. */
  latencyMs?: number;
  /** Requests per second allowed for this action; the excess gets `Throttling.User`. */
  qps?: number;
  /** Destroy the socket without answering (true = always, or a probability). */
  dropConnection?: boolean | number;
  /** Apply the change, then destroy the socket (true = always, or a probability). */
  loseResponse?: boolean | number;
  /** An asynchronous job (Nlb JobId) started by this action ends Failed (true = always, or a probability). */
  jobFails?: boolean | number;
  /** Only the next N matching requests are affected; then the rule retires. */
  times?: number;
}

/** Keys are action names (`CreateLoadBalancer`), `Product.Action` (`Slb.DescribeRegions`) or `*`. */
export interface FaultConfig {
  seed?: number;
  actions?: Record<string, FaultRule>;
  [action: string]: FaultRule | Record<string, FaultRule> | number | undefined;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number; code: string; message: string }
  | { kind: 'throttle' }
  | { kind: 'drop' };

const DEFAULT_STATUS: Record<string, number> = {
  'Throttling.User': 400,
  Throttling: 400,
  'Throttling.Api': 400,
  ServiceUnavailable: 503,
  InternalError: 500,
  UnknownError: 500,
};

export class Faults {
  private rules = new Map<string, FaultRule>();
  private random: () => number = seededRandom(1);
  private windows = new Map<string, number[]>();

  set(config: FaultConfig): void {
    this.rules.clear();
    this.windows.clear();
    this.random = seededRandom(typeof config.seed === 'number' ? config.seed : 1);
    const entries = config.actions ?? config;
    for (const [k, v] of Object.entries(entries)) {
      if (k === 'seed' || k === 'actions' || typeof v !== 'object' || v === null) continue;
      this.rules.set(k, v);
    }
  }

  snapshot(): Record<string, FaultRule> {
    return Object.fromEntries(this.rules);
  }

  private rulesFor(product: string, action: string): [string, FaultRule][] {
    const out: [string, FaultRule][] = [];
    for (const key of [`${product}.${action}`, action, '*']) {
      const r = this.rules.get(key);
      if (r) out.push([key, r]);
    }
    return out;
  }

  private hit(p: boolean | number | undefined): boolean {
    if (p === undefined || p === false) return false;
    if (p === true) return true;
    return this.random() < p;
  }

  private consume(key: string, rule: FaultRule): void {
    if (rule.times === undefined) return;
    rule.times -= 1;
    if (rule.times <= 0) this.rules.delete(key);
  }

  latency(product: string, action: string): number {
    return this.rulesFor(product, action).reduce((ms, [, r]) => ms + (r.latencyMs ?? 0), 0);
  }

  /** Decided before the handler runs. */
  before(product: string, action: string, now = Date.now()): FaultDecision {
    for (const [key, rule] of this.rulesFor(product, action)) {
      if (rule.qps !== undefined) {
        // The cloud throttles each API on its own: a `*` rule gives every action its own window.
        const windowKey = `${key}|${product}.${action}`;
        const w = (this.windows.get(windowKey) ?? []).filter((t) => t > now - 1000);
        if (w.length >= rule.qps) {
          this.windows.set(windowKey, w);
          return { kind: 'throttle' };
        }
        w.push(now);
        this.windows.set(windowKey, w);
      }
      if (this.hit(rule.dropConnection)) {
        this.consume(key, rule);
        return { kind: 'drop' };
      }
      const rate = rule.errorRate ?? (rule.code ? 1 : 0);
      if (rate > 0 && this.random() < rate) {
        this.consume(key, rule);
        const code = rule.code ?? 'ServiceUnavailable';
        return {
          kind: 'error',
          code,
          status: rule.httpStatus ?? DEFAULT_STATUS[code] ?? (code.startsWith('Throttling') ? 400 : 503),
          message:
            rule.message ??
            `The request has failed due to a temporary failure of the server (injected ${code}).`,
        };
      }
    }
    return { kind: 'none' };
  }

  /** Decided when an asynchronous job starts: will it end Failed (and its change be undone)? */
  jobFails(product: string, action: string): boolean {
    for (const [key, rule] of this.rulesFor(product, action)) {
      if (this.hit(rule.jobFails)) {
        this.consume(key, rule);
        return true;
      }
    }
    return false;
  }

  /** Decided after the handler changed the state: should the answer be lost? */
  loseResponse(product: string, action: string): boolean {
    for (const [key, rule] of this.rulesFor(product, action)) {
      if (this.hit(rule.loseResponse)) {
        this.consume(key, rule);
        return true;
      }
    }
    return false;
  }
}
