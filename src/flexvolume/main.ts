// FlexVolume driver entry point: `driver <call> <args…>` → exactly one JSON object on stdout,
// exit 0 iff Success. Nothing is ever written to stderr (the kubelet parses stdout+stderr together).
import { writeSync } from 'node:fs';
import { dispatch } from './dispatch.js';
import { DriverError, exitCodeFor, failure, type DriverReply } from './protocol.js';
import { redactSecrets } from '../util/secrets.js';

function reply(r: DriverReply): void {
  const text = redactSecrets(JSON.stringify(r)) + '\n';
  // Synchronous write to fd 1: an async pipe write could be cut off by process exit.
  let off = 0;
  const buf = Buffer.from(text);
  while (off < buf.length) off += writeSync(1, buf, off);
  process.exitCode = exitCodeFor(r);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let r: DriverReply;
  try {
    r = await dispatch(argv, process.env, process.argv[1]);
  } catch (err) {
    r = failure(
      err instanceof DriverError
        ? err.message
        : `internal error: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  reply(r);
}

function silenceStderr(): void {
  process.removeAllListeners('warning');
  process.stderr.write = () => true;
}

silenceStderr();
let answered = false;
process.on('uncaughtException', (err) => {
  if (answered) return;
  answered = true;
  reply(failure(`internal error: ${err.message}`));
  process.exit();
});
void main().then(() => {
  answered = true;
});
