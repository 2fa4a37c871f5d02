// Dependencies (pop-core, pino's fallbacks) may print to stderr, and the kubelet parses stdout and
// stderr together as the reply. process.stderr is built on first use (a tty or pipe stream, a
// fifth of a short call's cost), so it is muted when something first asks for it, not built here.

export function silenceStderr(): void {
  const lazy = Object.getOwnPropertyDescriptor(process, 'stderr');
  // A property getter, called below with process as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const build = lazy?.get;
  if (!build) {
    process.stderr.write = () => true;
    return;
  }
  Object.defineProperty(process, 'stderr', {
    configurable: true,
    enumerable: lazy.enumerable ?? true,
    get(): NodeJS.WriteStream {
      const stream = build.call(process) as NodeJS.WriteStream;
      stream.write = () => true;
      Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, value: stream });
      return stream;
    },
  });
}
