// Named readiness checks: /readyz is green only when every registered check passes.
export type Check = () => boolean;

export class Readiness {
  private checks = new Map<string, Check>();

  add(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  remove(name: string): void {
    this.checks.delete(name);
  }

  /** Every check's verdict; a throwing check counts as failing. */
  evaluate(): { ok: boolean; results: Record<string, boolean> } {
    const results: Record<string, boolean> = {};
    let ok = true;
    for (const [name, check] of this.checks) {
      let pass: boolean;
      try {
        pass = check();
      } catch {
        pass = false;
      }
      results[name] = pass;
      ok &&= pass;
    }
    return { ok, results };
  }
}
