// FlexVolume driver entry point: `driver <call> <args…>` → exactly one JSON object on stdout,
// exit 0 iff Success. Nothing is ever written to stderr (the kubelet parses stdout+stderr together).
//
// The kubelet execs the driver for every call-out (`init` at every plugin probe), so this module is
// all that `init`, `mount`, `unmount` and `getvolumename` load. The build bundles it alone into
// driver.mjs with no import statement at all (each one is a module to resolve and link before the
// first line runs; builtins come from process.getBuiltinModule). The other calls import one of two
// entries, each its own file in the build (scripts/bundle-flexvolume.mjs): the host calls never
// parse the cloud client, the cloud calls never parse the mount code.
import { errorText } from '../util/errors.js';
import { parseOptionsJson } from './options.js';
import {
  DriverError,
  exitCodeFor,
  failure,
  notSupported,
  success,
  type Capabilities,
  type DriverReply,
} from './protocol.js';
import type { CallsModule } from './dispatch.js';

const CAPABILITIES: Capabilities = {
  attach: true,
  selinuxRelabel: true,
  supportsMetrics: true,
  fsGroup: true,
  requiresFSResize: true,
};

const nodeCalls = (): Promise<CallsModule> => import('./node-entry.js');
const cloudCalls = (): Promise<CallsModule> => import('./cloud-entry.js');
const ROUTES: Readonly<Record<string, () => Promise<CallsModule>>> = {
  waitforattach: nodeCalls,
  mountdevice: nodeCalls,
  unmountdevice: nodeCalls,
  expandfs: nodeCalls,
  attach: cloudCalls,
  isattached: cloudCalls,
  detach: cloudCalls,
  expandvolume: cloudCalls,
};

// Nothing secret is known until an entry has read the config; from then on its redaction (the
// one that saw the secrets registered) applies to everything written, crash replies included.
let redact: (text: string) => string = (text) => text;
let answered = false;

function reply(r: DriverReply): void {
  if (answered) return;
  answered = true;
  const buf = Buffer.from(redact(JSON.stringify(r)) + '\n');
  // Synchronous write to fd 1: an async pipe write could be cut off by process exit.
  const { writeSync } = process.getBuiltinModule('node:fs');
  let off = 0;
  while (off < buf.length) off += writeSync(1, buf, off);
  process.exitCode = exitCodeFor(r);
}

async function answer(argv: string[]): Promise<DriverReply> {
  const [call, ...args] = argv;
  if (call === 'init') return success({ capabilities: CAPABILITIES });
  if (call === 'mount' || call === 'unmount') return notSupported();
  if (call === 'getvolumename') {
    // The kubelet discards this answer and uses the PV/volume name; "Not supported" makes it stop
    // executing us for every unique-name computation. Bad input still fails loudly.
    parseOptionsJson(args[0]);
    return notSupported('the kubelet uses the PV or volume name');
  }
  const load = call === undefined ? undefined : ROUTES[call];
  // The kubelet treats "Not supported" as "use the built-in default" and stops asking; calls added
  // to the protocol after this driver was written must get that answer, not a Failure.
  if (!load)
    return notSupported(
      `call ${JSON.stringify(String(call ?? '')).slice(0, 80)} is not implemented by this driver`,
    );
  const calls = await load();
  redact = (text) => calls.redactSecrets(text);
  return calls.run(argv, process.env, process.argv[1]);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let r: DriverReply;
  try {
    r = await answer(argv);
  } catch (err) {
    r = failure(err instanceof DriverError ? err.message : `internal error: ${errorText(err)}`);
  }
  reply(r);
}

// Warnings on stderr would corrupt the reply. (Library chatter is silenced by ./calls.js: touching
// process.stderr here would build the stream, a fifth of what `init` costs.)
process.removeAllListeners('warning');
process.on('uncaughtException', (err) => {
  reply(failure(`internal error: ${errorText(err)}`));
  process.exit();
});
void main();
