// The demo as a function: five steps, one per part of the product, against both emulators and
// the real controller-manager, with everything undone at the end. Returns a report of what each
// step observed, so the test asserts outcomes rather than parsing the printed text.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePrograms } from './bundle.js';
import { Cleanup, type ResourceKind } from './cleanup.js';
import { startCluster } from './cluster.js';
import type { DemoContext } from './context.js';
import { Kubectl, kubectlAvailable } from './kubectl.js';
import { loopUnavailable } from './loopdisk.js';
import { netnsUnavailable } from './netns.js';
import { stopDemo } from './poll.js';
import { hostRoutes, startAgent } from './steps/hostroutes.js';
import { nodesJoin } from './steps/nodes.js';
import { podRoutes } from './steps/routes.js';
import { loadBalancer } from './steps/service.js';
import { installDrivers, volume } from './steps/volume.js';
import { DemoOutput, type StepReport } from './ui.js';

export interface DemoOptions {
  write: (text: string) => void;
  color: boolean;
  /** Behave as an unprivileged user would see it: no loop devices, mounts or namespaces. */
  unprivileged: boolean;
  /** Called with the report when a signal ended the demo (the process exits right after). */
  onInterrupted?: (report: DemoReport) => void;
}

export interface DemoReport {
  ok: boolean;
  error?: string;
  totalMs: number;
  steps: StepReport[];
  /** Everything the demo created (all of it removed again unless cleanupFailed is non-empty). */
  created: Record<ResourceKind, string[]>;
  cleanupFailed: string[];
}

export async function runDemo(opts: DemoOptions): Promise<DemoReport> {
  const out = new DemoOutput(opts.write, opts.color);
  const cleanup = new Cleanup();
  let steps: Promise<void> = Promise.resolve();
  const unhook = cleanup.onSignals(
    (t) => {
      out.mute();
      opts.write(`${t}\n`);
    },
    async () => {
      stopDemo.abort(new Error('interrupted'));
      // A step stops at its next command or wait; one stuck in a long call is not waited for.
      await Promise.race([steps.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    },
    (signal, cleanupFailed) =>
      opts.onInterrupted?.({
        ok: false,
        error: `interrupted by ${signal}`,
        totalMs: out.elapsedMs(),
        steps: out.steps,
        created: cleanup.created,
        cleanupFailed,
      }),
  );
  let error: string | undefined;
  steps = runSteps(opts, out, cleanup);
  try {
    await steps;
  } catch (err) {
    out.finishStep();
    error = err instanceof Error ? err.message : String(err);
  }
  const cleanupFailed = await cleanup.run();
  unhook();
  // Interrupted: the signal handler reports and exits with the signal's code; the steps that
  // failed because their processes were stopped under them have nothing to add.
  if (cleanup.interruptedBy) return new Promise<DemoReport>(() => {});
  const report: DemoReport = {
    ok: error === undefined && cleanupFailed.length === 0,
    totalMs: out.elapsedMs(),
    steps: out.steps,
    created: cleanup.created,
    cleanupFailed,
  };
  if (error !== undefined) report.error = error;
  summarize(out, report);
  return report;
}

async function runSteps(opts: DemoOptions, out: DemoOutput, cleanup: Cleanup): Promise<void> {
  if (!(await kubectlAvailable()))
    throw new Error(
      'kubectl is not on PATH; the demo shows every step with the real kubectl (install it, any version ≥ 1.27)',
    );
  const root = await mkdtemp(join(tmpdir(), 'kube-alicloud-demo-'));
  cleanup.add(`temp dir ${root}`, () => rm(root, { recursive: true, force: true }), {
    kind: 'path',
    id: root,
  });
  const unprivileged = opts.unprivileged
    ? 'running with --unprivileged (as a user without root would)'
    : undefined;
  const host = { loop: unprivileged ?? loopUnavailable(), netns: unprivileged ?? (await netnsUnavailable()) };

  out.step('cloud', 'An Alibaba Cloud account and a cluster API, both emulated on loopback');
  const cluster = await startCluster(root, await bundlePrograms(cleanup), cleanup);
  const ctx: DemoContext = { out, cluster, kubectl: new Kubectl(cluster.kubeconfig), cleanup, host };
  out.note(
    `Alibaba Cloud emulator   ${cluster.cloudEmu.url}  (ECS, VPC, SLB, metadata; region ${cluster.region})`,
  );
  out.note(
    `Kubernetes API emulator  ${cluster.kubeEmu.url}  (kubectl uses KUBECONFIG=${cluster.kubeconfig})`,
  );
  out.cloud(
    'ecs DescribeInstances',
    cluster.hosts.map(
      (h) =>
        `${h.instance.InstanceId}  host=${h.name}  ${h.ip}  ${h.instance.ZoneId}  ${h.instance.InstanceType}`,
    ),
  );
  if (host.loop) out.note(`The loop device and mount of step 5 will be skipped: ${host.loop}.`);
  if (host.netns) out.note(`The network namespace of step 6 will be skipped: ${host.netns}.`);

  out.step('node', 'A Node joins with the uninitialized taint and is initialised');
  await nodesJoin(ctx);
  // Slow to start, quick to show: begun now, shown in their own steps (their failures too).
  const drivers = installDrivers(ctx);
  const agent = startAgent(ctx);
  try {
    out.step('route', 'Its pod CIDR is routed in the VPC route table');
    await podRoutes(ctx);
    out.step('service', 'A LoadBalancer Service with annotations gets its SLB');
    await loadBalancer(ctx);
    out.step('volume', 'A PVC gets a disk that the FlexVolume driver attaches, formats and mounts');
    await volume(ctx, drivers);
    out.step('hostroutes', 'alicloud-hostroutes programs a route in a network namespace');
    await hostRoutes(ctx, agent);
    out.finishStep();
  } finally {
    // Whatever they made is registered for cleanup only once they have finished making it.
    await Promise.allSettled([drivers, agent]);
  }
}

function summarize(out: DemoOutput, r: DemoReport): void {
  out.line();
  for (const s of r.steps) {
    const mark =
      r.error && s === r.steps[r.steps.length - 1] ? 'FAILED' : s.status === 'ok' ? 'ok' : 'partly skipped';
    out.line(`  ${s.title.padEnd(76)} ${(s.ms / 1000).toFixed(1).padStart(5)} s  ${mark}`);
    for (const why of s.skipped) out.line(`      skipped: ${why}`);
  }
  for (const f of r.cleanupFailed) out.line(`cleanup failed: ${f}`);
  if (r.error) out.line(`\ndemo failed: ${r.error}`);
  else
    out.line(
      `\nDemo finished in ${(r.totalMs / 1000).toFixed(1)} s; every process, loop device, namespace and temp file it made is gone.`,
    );
}
