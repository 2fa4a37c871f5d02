// Command-line flags in the cloud-controller-manager's spelling (pflag semantics: `--x=v` or
// `--x v`, booleans as `--x`, `--x=true|false`). commander does the parsing; booleans are
// rewritten first because commander has no `--flag=false` form. Every problem becomes one
// FlagError whose message names the flag.
import { Command, CommanderError, Option } from 'commander';
import { parseDuration } from './duration.js';
import { addServingOptions, servingFlagsFrom, type ServingFlags } from './serving.js';

export class FlagError extends Error {
  override name = 'FlagError';
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface Flags {
  kubeconfig?: string;
  master?: string;
  cloudConfig?: string;
  clusterName: string;
  clusterCidr?: string;
  allocateNodeCidrs: boolean;
  configureCloudRoutes: boolean;
  controllers: string;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseName: string;
  leaseNamespace: string;
  concurrentServiceSyncs: number;
  /** --lb-drift-check-period: how often every SLB is re-read and hand-made changes reverted. */
  lbDriftCheckPeriodMs: number;
  routeReconciliationPeriodMs: number;
  nodeMonitorPeriodMs: number;
  skipDisableSourceDestCheck: boolean;
  nodeReconcileBatchSize: number;
  nodeEventAggregationWaitMs: number;
  /** --secure-port, --port, --bind-address, TLS and delegated auth (src/manager/serving.ts). */
  serving: ServingFlags;
  dryRun: boolean;
  logLevel: LogLevel;
}

const BOOLEANS = [
  'allocate-node-cidrs',
  'configure-cloud-routes',
  'leader-elect',
  'dry-run',
  'skip-disable-source-dest-check',
  'authentication-skip-lookup', // serving.ts
] as const;

/** `--b=false` → `--no-b`, `--b=true` → `--b`; single-dash long flags (Go style) get a second dash. */
function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (/^-[a-z][a-z-]+/.test(arg) && !/^-v=/.test(arg)) arg = '-' + arg; // -kubeconfig=x → --kubeconfig=x
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    const name = m?.[1] ?? arg.replace(/^--/, '');
    if ((BOOLEANS as readonly string[]).includes(name) && m) {
      const v = m[2]!.toLowerCase();
      if (v === 'true' || v === '1' || v === 't') out.push(`--${name}`);
      else if (v === 'false' || v === '0' || v === 'f') out.push(`--no-${name}`);
      else throw new FlagError(`--${name}: invalid boolean "${m[2]}"`);
      continue;
    }
    const v = /^--?v(?:=(.*))?$/.exec(arg);
    if (v) {
      out.push('--v', ...(v[1] !== undefined ? [v[1]] : []));
      continue;
    }
    out.push(arg);
  }
  return out;
}

function duration(flag: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 0) throw new FlagError(`--${flag}: invalid duration "${value}"`);
    return ms;
  };
}

function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
      throw new FlagError(`--${flag}: must be a positive integer, got "${value}"`);
    return Number(value);
  };
}

/** Whole or fractional seconds (≥ 0) → ms. */
function seconds(flag: string) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value.trim()))
      throw new FlagError(`--${flag}: must be a number of seconds, got "${value}"`);
    return Math.round(Number(value) * 1000);
  };
}

function logLevel(value: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new FlagError(`--log-level: must be one of ${LOG_LEVELS.join('|')}, got "${value}"`);
}

/** klog verbosity → log level: 0-1 info, 2-3 debug, 4+ trace. */
function verbosity(value: string): LogLevel {
  if (!/^\d+$/.test(value)) throw new FlagError(`--v: invalid verbosity "${value}"`);
  const n = Number(value);
  return n >= 4 ? 'trace' : n >= 2 ? 'debug' : 'info';
}

export function buildCommand(): Command {
  const cmd = new Command('alicloud-controller-manager')
    .description(
      'Alibaba Cloud controller manager: SLB for LoadBalancer Services, VPC routes, node initialisation, disks',
    )
    .allowExcessArguments(false)
    .helpOption('-h, --help')
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster service account)')
    .option('--master <url>', 'apiserver URL; overrides the kubeconfig server')
    .addOption(new Option('--server <url>', 'alias of --master (kube-aliyun)').hideHelp())
    .option('--cloud-config <path>', 'cloud-config file (YAML or JSON, Global: section)')
    .option('--cluster-name <name>', 'cluster name', 'kubernetes')
    .option('--cluster-cidr <cidrs>', 'pod CIDR range(s), comma-separated; bounds route management')
    .option(
      '--allocate-node-cidrs',
      'accepted for compatibility; CIDRs are allocated by kube-controller-manager',
      false,
    )
    .option('--no-allocate-node-cidrs')
    .option('--configure-cloud-routes', 'let the route controller program VPC routes', true)
    .option('--no-configure-cloud-routes')
    .option('--controllers <list>', 'controllers to run: *, names, -name to disable', '*')
    .option('--leader-elect', 'run leader election before starting controllers', true)
    .option('--no-leader-elect')
    .option(
      '--leader-elect-lease-duration <d>',
      'lease duration',
      duration('leader-elect-lease-duration'),
      15_000,
    )
    .option(
      '--leader-elect-renew-deadline <d>',
      'renew deadline',
      duration('leader-elect-renew-deadline'),
      10_000,
    )
    .option('--leader-elect-retry-period <d>', 'retry period', duration('leader-elect-retry-period'), 2_000)
    .option('--leader-elect-resource-name <name>', 'Lease name', 'ccm')
    .option('--leader-elect-resource-namespace <ns>', 'Lease namespace', 'kube-system')
    .option('--concurrent-service-syncs <n>', 'service workers', positiveInt('concurrent-service-syncs'), 3)
    .option(
      '--lb-drift-check-period <d>',
      're-read every SLB and repair hand-made changes this often (0 = never)',
      duration('lb-drift-check-period'),
      600_000,
    )
    .option(
      '--route-reconciliation-period <d>',
      'full route reconcile period',
      duration('route-reconciliation-period'),
      300_000,
    )
    .option('--node-monitor-period <d>', 'node monitor period', duration('node-monitor-period'), 300_000)
    .option(
      '--skip-disable-source-dest-check',
      'leave source/destination checking on node ENIs as it is',
      false,
    )
    .option('--no-skip-disable-source-dest-check')
    .option(
      '--node-reconcile-batch-size <n>',
      'Nodes initialised per cloud lookup',
      positiveInt('node-reconcile-batch-size'),
      100,
    )
    .option(
      '--node-event-aggregation-wait-seconds <s>',
      'seconds a burst of Node events gathers before one cloud lookup',
      seconds('node-event-aggregation-wait-seconds'),
      1_000,
    )
    .option('--dry-run', 'read-only: mutating cloud calls are logged, not sent', false)
    .option('--no-dry-run')
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', logLevel)
    .addOption(new Option('--v <n>', 'klog-style verbosity (alias of --log-level)').argParser(verbosity))
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  return addServingOptions(cmd);
}

export interface ParseResult {
  flags?: Flags;
  /** Set when --help was asked for: print and exit 0. */
  help?: string;
}

export function parseFlags(argv: readonly string[]): ParseResult {
  const cmd = buildCommand();
  const args = normalizeArgv(argv);
  const stray = firstPositional(args);
  if (stray !== undefined) throw new FlagError(`unexpected argument "${stray}" (flags only)`);
  if (args.includes('--help') || args.includes('-h')) return { help: cmd.helpInformation() };
  try {
    cmd.parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof FlagError) throw err;
    if (err instanceof CommanderError) throw new FlagError(commanderMessage(err));
    throw err;
  }
  const o = cmd.opts<Record<string, unknown>>();
  const master = (o.master ?? o.server) as string | undefined;
  if (o.master !== undefined && o.server !== undefined && o.master !== o.server)
    throw new FlagError('--server: conflicts with --master');
  const level = (o.logLevel ?? o.v ?? 'info') as LogLevel;
  return {
    flags: {
      kubeconfig: o.kubeconfig as string | undefined,
      master,
      cloudConfig: o.cloudConfig as string | undefined,
      clusterName: o.clusterName as string,
      clusterCidr: o.clusterCidr as string | undefined,
      allocateNodeCidrs: o.allocateNodeCidrs as boolean,
      configureCloudRoutes: o.configureCloudRoutes as boolean,
      controllers: o.controllers as string,
      leaderElect: o.leaderElect as boolean,
      leaseDurationMs: o.leaderElectLeaseDuration as number,
      renewDeadlineMs: o.leaderElectRenewDeadline as number,
      retryPeriodMs: o.leaderElectRetryPeriod as number,
      leaseName: o.leaderElectResourceName as string,
      leaseNamespace: o.leaderElectResourceNamespace as string,
      concurrentServiceSyncs: o.concurrentServiceSyncs as number,
      lbDriftCheckPeriodMs: o.lbDriftCheckPeriod as number,
      routeReconciliationPeriodMs: o.routeReconciliationPeriod as number,
      nodeMonitorPeriodMs: o.nodeMonitorPeriod as number,
      skipDisableSourceDestCheck: o.skipDisableSourceDestCheck as boolean,
      nodeReconcileBatchSize: o.nodeReconcileBatchSize as number,
      nodeEventAggregationWaitMs: o.nodeEventAggregationWaitSeconds as number,
      serving: servingFlagsFrom(o),
      dryRun: o.dryRun as boolean,
      logLevel: level,
    },
  };
}

/** A word that is neither a flag nor a flag's value (pflag would reject it too). */
function firstPositional(args: readonly string[]): string | undefined {
  const cmd = buildCommand();
  const takesValue = new Set(cmd.options.filter((o) => o.required || o.optional).map((o) => o.long));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (!a.includes('=') && takesValue.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

function commanderMessage(err: CommanderError): string {
  const flag = /'(-[^' =]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'commander.unknownOption':
      return `${flag ?? 'flag'}: unknown flag`;
    case 'commander.optionMissingArgument':
      return `${flag ?? 'flag'}: missing value`;
    case 'commander.excessArguments':
      return `unexpected argument (flags only; use --name=value)`;
    default:
      return err.message.replace(/^error: /, '');
  }
}
