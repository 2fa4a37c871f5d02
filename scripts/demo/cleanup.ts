// Everything the demo creates (processes, loop devices, mounts, network namespaces, temp dirs)
// is registered here the moment it exists and undone in reverse order, once, whether the demo
// finished, failed, or was interrupted with Ctrl-C. A failing undo does not stop the others.
export type ResourceKind = 'process' | 'netns' | 'loop' | 'path';

export class Cleanup {
  /** What was created, by kind, so a test can check afterwards that all of it is gone. */
  readonly created: Record<ResourceKind, string[]> = { process: [], netns: [], loop: [], path: [] };
  private readonly tasks: Array<{ what: string; undo: () => Promise<void> | void }> = [];
  private running: Promise<string[]> | undefined;
  private readonly late: Promise<unknown>[] = [];
  /** The signal that interrupted the demo, if one did. */
  interruptedBy: NodeJS.Signals | undefined;

  add(what: string, undo: () => Promise<void> | void, resource?: { kind: ResourceKind; id: string }): void {
    if (resource) this.created[resource.kind].push(resource.id);
    if (this.running) {
      // Created while we were already tearing down (a step raced the interrupt): undo it now.
      this.late.push(
        Promise.resolve()
          .then(undo)
          .catch(() => undefined),
      );
      return;
    }
    this.tasks.push({ what, undo });
  }

  /** Runs every undo, newest first; resolves with the ones that failed ("what: why"). */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failed: string[] = [];
      for (const t of this.tasks.splice(0).reverse()) {
        try {
          await t.undo();
        } catch (err) {
          failed.push(`${t.what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return failed;
    })();
    return this.running;
  }

  /**
   * Ctrl-C, SIGTERM, SIGHUP: clean up, then exit 130/143/129 as a shell expects. A second signal
   * while cleaning up is ignored so the undo cannot be cut short half-way.
   */
  onSignals(
    log: (text: string) => void,
    /** Stops the running step (bounded); undoing starts once it has. */
    stop: () => Promise<void>,
    cleaned: (signal: NodeJS.Signals, failed: string[]) => void,
  ): () => void {
    const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
    const handler = (signal: NodeJS.Signals): void => {
      if (this.running) return;
      this.interruptedBy = signal;
      log(`\n${signal}: cleaning up…`);
      void stop()
        .then(() => this.run())
        .then(async (failed) => {
          // Give a step that was mid-way (a process spawning, a loop device appearing) a moment to
          // register what it made, so that is undone too before we exit.
          await new Promise((r) => setTimeout(r, 500));
          await Promise.allSettled(this.late);
          for (const f of failed) log(`cleanup failed: ${f}`);
          cleaned(signal, failed);
          process.exit(codes[signal] ?? 1);
        });
    };
    for (const s of Object.keys(codes)) process.on(s, handler);
    return () => {
      for (const s of Object.keys(codes)) process.off(s, handler);
    };
  }
}
