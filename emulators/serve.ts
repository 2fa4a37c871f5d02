// What both emulator programs do once their server is up: announce the URL on stdout (tests
// and scripts wait for that line) and close cleanly on SIGTERM/SIGINT, exiting 0.
import type { Logger } from './log.js';

export function announceAndCloseOnSignal(url: string, close: () => Promise<void>, log: Logger): void {
  process.stdout.write(JSON.stringify({ event: 'listening', url }) + '\n');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
