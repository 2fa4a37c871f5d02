// Command-line flags of alicloud-hostroutes. Parsing is separate from main so the validation
// (protocol range, table name, required node name) is testable without starting anything.
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { TABLE_RE } from './diff.js';
import { type Ipv4Cidr as Cidr, parseCidr } from '../util/ipv4.js';
import { describeReserved, reservedOverlap } from './reserved.js';

/**
 * Default routing protocol number marking our routes. 200 is outside every value named in
 * iproute2's rt_protos (0-4, 8-16, 18, 42, 99, 186-192) and below the 240+ range some tools use.
 */
export const DEFAULT_PROTOCOL = 200;

export interface HostroutesOptions {
  kubeconfig?: string;
  master?: string;
  nodeName: string;
  protocol: number;
  table: string;
  clusterCIDRs: Cidr[];
  resyncMs: number;
  debounceMs: number;
  bindAddress: string;
  port: number;
  logLevel: LevelWithSilent;
  ipBinary: string;
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function intIn(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer in ${min}..${max}`);
    return n;
  };
}

/** Accepts `30s`, `1m`, `500ms` or plain seconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError('expected a duration like 500ms, 30s, 5m');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): HostroutesOptions {
  const program = new Command()
    .name('alicloud-hostroutes')
    .description(
      "Per-node agent: routes every other node's pod CIDR via that node's InternalIP (host-gateway mode)",
    )
    .exitOverride()
    .option('--kubeconfig <file>', 'kubeconfig file (default: in-cluster service account)')
    .option('--master, --server <url>', 'apiserver URL; overrides the kubeconfig server')
    // kubeup's hostroutes was started as `/hostroutes --in-cluster`; in-cluster is already our default.
    .option(
      '--in-cluster',
      'use the in-cluster service account (the default without --kubeconfig; accepted for kubeup compatibility)',
    )
    .option(
      '--node-name <name>',
      "this node's Node name (default: $NODE_NAME from the downward API; never the hostname)",
    )
    .option(
      '--route-protocol <n>',
      'routing protocol number that marks the routes this agent owns',
      intIn(1, 255),
      DEFAULT_PROTOCOL,
    )
    .option('--table <table>', 'routing table to program', 'main')
    .option(
      '--cluster-cidr <cidrs>',
      'comma-separated cluster CIDR(s), required; pod CIDRs outside are never programmed',
    )
    .option(
      '--resync-period <duration>',
      'periodic kernel read-back that repairs drift',
      parseDuration,
      60_000,
    )
    // 0: a change reaches the kernel at once; events arriving while a pass runs still merge into
    // the next pass, so a burst (a re-list) costs one or two passes, not one per Node.
    .option(
      '--debounce <duration>',
      'quiet time that coalesces bursts of Node events (0: none; events during a pass still merge)',
      parseDuration,
      0,
    )
    // Loopback unless asked: with hostNetwork, 0.0.0.0 would publish /metrics on every node address.
    .option('--bind-address <ip>', 'address of the /healthz /readyz /metrics listener', '127.0.0.1')
    .option('--port <port>', 'port of the status listener (0 = ephemeral)', intIn(0, 65535), 10266)
    .option('--log-level <level>', `one of ${LEVELS.join(', ')}`, 'info')
    .option('--ip-binary <path>', 'iproute2 ip binary', 'ip');
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    kubeconfig?: string;
    /** commander names the `--master, --server` option after its last long flag. */
    server?: string;
    nodeName?: string;
    routeProtocol: number;
    table: string;
    clusterCidr?: string;
    resyncPeriod: number;
    debounce: number;
    bindAddress: string;
    port: number;
    logLevel: string;
    ipBinary: string;
  }>();
  const nodeName = o.nodeName ?? env.NODE_NAME;
  if (!nodeName)
    throw new OptionsError(
      '--node-name or NODE_NAME is required (set NODE_NAME from fieldRef spec.nodeName; kubeup manifests lacked it — see deploy/hostroutes.yaml)',
    );
  if ([0, 1, 2, 3, 4].includes(o.routeProtocol))
    throw new OptionsError(`--route-protocol ${o.routeProtocol} is reserved by the kernel`);
  if (!TABLE_RE.test(o.table) || o.table === 'local') throw new OptionsError(`invalid --table ${o.table}`);
  if (!LEVELS.includes(o.logLevel)) throw new OptionsError(`invalid --log-level ${o.logLevel}`);
  if (o.resyncPeriod < 1000) throw new OptionsError('--resync-period must be at least 1s');
  const clusterCIDRs = parseClusterCIDRs(o.clusterCidr);
  return {
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.server ? { master: o.server } : {}),
    nodeName,
    protocol: o.routeProtocol,
    table: o.table,
    clusterCIDRs,
    resyncMs: o.resyncPeriod,
    debounceMs: o.debounce,
    bindAddress: o.bindAddress,
    port: o.port,
    logLevel: o.logLevel as LevelWithSilent,
    ipBinary: o.ipBinary,
  };
}

/**
 * `--cluster-cidr`: required, at least one IPv4 prefix, none overlapping a
 * reserved range. Without it every Node's podCIDR — 100.100.100.200/32 included — would become a
 * route; a Node-derived guess would be exactly as trustworthy as the Node objects it guards against.
 */
export function parseClusterCIDRs(raw: string | undefined): Cidr[] {
  const texts = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (texts.length === 0) {
    throw new OptionsError(
      "--cluster-cidr is required (the cluster's pod range, the controller-manager's --cluster-cidr, e.g. 10.244.0.0/16); pod CIDRs outside it are never programmed",
    );
  }
  const out: Cidr[] = [];
  for (const text of texts) {
    if (text.includes(':')) continue; // IPv6 cluster CIDRs are not used for IPv4 routes
    const cidr = parseCidr(text);
    if (!cidr) throw new OptionsError(`invalid --cluster-cidr ${text}`);
    const reserved = reservedOverlap(cidr);
    if (reserved)
      throw new OptionsError(
        `--cluster-cidr ${text}: ${describeReserved(cidr, reserved)}; pod CIDRs may never cover it`,
      );
    out.push(cidr);
  }
  if (out.length === 0)
    throw new OptionsError('--cluster-cidr has no IPv4 prefix; hostroutes programs IPv4 routes only');
  return out;
}
