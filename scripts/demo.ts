// `npm run demo`: the whole product on loopback, in well under a minute — both emulators, the
// real alicloud-controller-manager, the installed FlexVolume driver and alicloud-hostroutes:
//   1. an emulated Alibaba Cloud account (two ECS instances) and Kubernetes API;
//   2. Nodes join tainted uninitialized and the node controller initialises them;
//   3. their pod CIDRs become VPC route entries;
//   4. a LoadBalancer Service with annotations gets its SLB (and loses it when deleted);
//   5. a PVC gets a disk that the driver attaches, formats and mounts on a loop device (root);
//   6. alicloud-hostroutes programs a route in a network namespace made for the demo (root).
// Each step shows the kubectl a user would run and what the cloud API reports. Without root the
// host-level parts are skipped with the reason. Options: --unprivileged (skip them anyway),
// --report <file> (write the JSON report). Exits 0 on success, 1 with the reason otherwise;
// everything it created is removed in both cases, and on Ctrl-C.
import { writeFileSync } from 'node:fs';
import { runDemo, type DemoReport } from './demo/run.js';

function parseArgs(argv: readonly string[]): { unprivileged: boolean; report?: string } {
  const out: { unprivileged: boolean; report?: string } = { unprivileged: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--unprivileged') out.unprivileged = true;
    else if (a === '--report' && argv[i + 1]) out.report = argv[++i]!;
    else if (a.startsWith('--report=')) out.report = a.slice('--report='.length);
    else {
      process.stderr.write(
        `demo: unknown argument ${JSON.stringify(a)} (known: --unprivileged, --report <file>)\n`,
      );
      process.exit(2);
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const save = (report: DemoReport): void => {
  if (args.report) writeFileSync(args.report, JSON.stringify(report, null, 2));
};
const report = await runDemo({
  write: (t) => process.stdout.write(t),
  color: process.stdout.isTTY === true,
  unprivileged: args.unprivileged,
  onInterrupted: save,
});
save(report);
process.exit(report.ok ? 0 : 1);
