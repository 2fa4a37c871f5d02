// Command-line flags in the cloud-controller-manager's spelling (pflag semantics: `--x=v` or
// `--x v`, booleans as `--x`, `--x=true|false`). commander does the parsing; booleans are
// rewritten first because commander has no `--flag=false` form. Every problem becomes one
// FlagError whose message names the flag. Flags of other managers that mean nothing here
// (compat.ts) are taken out first and become one warning line each.
import { Command, CommanderError, Option } from 'commander';
import { ALIASES, compatFlag, compatWarning } from './compat.js';
import { formatDuration, parseDuration } from './duration.js';
import { addServingOptions, servingFlagsFrom, type ServingFlags } from './serving.js';
import { KUBE_ALICLOUD_VERSION } from '../cloud/version.js';

import { FlagError } from './flag-error.js';

export { FlagError };

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
  /** --lb-drift-check-period: how often every SLB and NLB is checked and hand-made changes reverted (both controllers). */
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
  /** --leader-elect-resource-lock; always a Lease here (see leaseLock). */
  leaderElectResourceLock: string;
  /** --instance-name (kube-aliyun): the leader-election identity; default hostname_uuid. */
  instanceName?: string;
  /** --in-cluster (kube-aliyun): use the Pod's service account, whatever --kubeconfig/--master say. */
  inCluster: boolean;
  kubeApiQps: number;
  kubeApiBurst: number;
  /** --enable-imdsv2: metadata reads with a session token, falling back to plain reads. */
  enableImdsv2: boolean;
  maxConcurrentActions: number;
  /** --test (kube-aliyun): validate the configuration and exit 0 without starting anything. */
  test: boolean;
  /** One line per compatibility flag that has no effect here (printed as warnings at startup). */
  warnings: readonly string[];
  /**
   * The values given to compatibility flags (compat.ts), by dash name: what code that later gives
   * one of them a meaning (e.g. the serving code for --metrics-bind-addr, --address) reads.
   */
  compatValues: Readonly<Record<string, string>>;
}

const BOOLEANS = [
  'allocate-node-cidrs',
  'configure-cloud-routes',
  'leader-elect',
  'dry-run',
  'skip-disable-source-dest-check',
  'enable-imdsv2',
  'in-cluster',
  'test',
  'authentication-skip-lookup', // serving.ts
] as const;

function parseBool(flag: string, text: string): boolean {
  const v = text.toLowerCase();
  if (v === 'true' || v === '1' || v === 't') return true;
  if (v === 'false' || v === '0' || v === 'f') return false;
  throw new FlagError(`--${flag}: invalid boolean "${text}"`);
}

interface Normalized {
  args: string[];
  warnings: string[];
  values: Record<string, string>;
}

/**
 * `--b=false` → `--no-b`, `--b=true` → `--b`; single-dash long flags (Go style) get a second dash;
 * underscores in names become dashes (glog's `--log_dir`, pflag's word-separator normalisation);
 * aliases are renamed; compatibility flags are removed and turned into warnings.
 */
function normalizeArgv(argv: readonly string[]): Normalized {
  const out: string[] = [];
  const warned = new Map<string, string>();
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (/^-[a-z][a-z_-]+/i.test(arg) && !/^-v=/.test(arg)) arg = '-' + arg; // -kubeconfig=x → --kubeconfig=x
    const flag = /^--([A-Za-z0-9_-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (flag) {
      const spelled = flag[1]!.replace(/_/g, '-');
      const renamed = ALIASES[spelled] ?? spelled;
      arg = `--${renamed}${flag[2] !== undefined ? `=${flag[2]}` : ''}`;
    }
    const m = /^--([a-z0-9-]+)=([\s\S]*)$/.exec(arg);
    const name = m?.[1] ?? arg.replace(/^--/, '');
    const compat = compatFlag(name);
    if (compat && arg.startsWith('--')) {
      let value: string;
      if (!compat.takesValue) value = m ? String(parseBool(name, m[2]!)) : 'true';
      else if (m) value = m[2]!;
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new FlagError(`--${name}: missing value`);
        value = next;
        i++;
      }
      const bad = compat.reject?.(value);
      if (bad) throw new FlagError(`--${name}: ${bad}`);
      values[name] = value;
      const line = compatWarning(compat, value);
      if (line === undefined) warned.delete(name);
      else warned.set(name, line);
      continue;
    }
    if ((BOOLEANS as readonly string[]).includes(name) && m) {
      out.push(parseBool(name, m[2]!) ? `--${name}` : `--no-${name}`);
      continue;
    }
    const v = /^--?v(?:=(.*))?$/.exec(arg);
    if (v) {
      out.push('--v', ...(v[1] !== undefined ? [v[1]] : []));
      continue;
    }
    out.push(arg);
  }
  return { args: out, warnings: [...warned.values()], values };
}

/** A duration option whose default --help shows as a duration (`15s`), not as milliseconds. */
function durationOption(flags: string, description: string, defaultMs: number): Option {
  const flag = /--([a-z-]+)/.exec(flags)![1]!;
  return new Option(flags, description)
    .argParser(duration(flag))
    .default(defaultMs, formatDuration(defaultMs));
}

function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value.trim()))
      throw new FlagError(`--${flag}: must be a number ≥ 0, got "${value}"`);
    return Number(value);
  };
}

/** client-go's lock kinds. This manager always holds a Lease; any other kind is a warning. */
const LOCKS = ['leases', 'endpointsleases', 'configmapsleases', 'endpoints', 'configmaps'];
function resourceLock(value: string): string {
  if (LOCKS.includes(value)) return value;
  throw new FlagError(
    `--leader-elect-resource-lock: unknown lock kind "${value}" (expected one of ${LOCKS.join(', ')})`,
  );
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
    .option('--version', 'print the version and exit')
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
    .addOption(durationOption('--leader-elect-lease-duration <d>', 'lease duration', 15_000))
    .addOption(durationOption('--leader-elect-renew-deadline <d>', 'renew deadline', 10_000))
    .addOption(durationOption('--leader-elect-retry-period <d>', 'retry period', 2_000))
    .option('--leader-elect-resource-name <name>', 'Lease name', 'ccm')
    .option('--leader-elect-resource-namespace <ns>', 'Lease namespace', 'kube-system')
    .option(
      '--leader-elect-resource-lock <kind>',
      'lock kind; a Lease is always held (other kinds are accepted with a warning)',
      resourceLock,
      'leases',
    )
    .option('--instance-name <id>', 'leader-election identity (default: <hostname>_<random uuid>)')
    .option('--in-cluster', "use the Pod's service account even when --kubeconfig/--master are given", false)
    .option('--no-in-cluster')
    // No client-side limit unless asked: the informers keep reads off the apiserver, and a limit
    // would hold back status writes and Events behind each other (the official CCM's 20/30 are
    // a flag away).
    .option(
      '--kube-api-qps <n>',
      'apiserver requests per second, sustained (0 = no client-side limit)',
      nonNegativeNumber('kube-api-qps'),
      0,
    )
    .option(
      '--kube-api-burst <n>',
      'apiserver requests allowed back to back when --kube-api-qps is set',
      positiveInt('kube-api-burst'),
      30,
    )
    .option('--concurrent-service-syncs <n>', 'service workers', positiveInt('concurrent-service-syncs'), 3)
    .option(
      '--max-concurrent-actions <n>',
      'SLB listener and vServer group calls in flight per Service',
      positiveInt('max-concurrent-actions'),
      10,
    )
    .addOption(
      durationOption(
        '--lb-drift-check-period <d>',
        'check every SLB and NLB for hand-made changes and repair them this often (0 = never)',
        600_000,
      ),
    )
    .addOption(durationOption('--route-reconciliation-period <d>', 'full route reconcile period', 300_000))
    .addOption(durationOption('--node-monitor-period <d>', 'node monitor period', 300_000))
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
    .addOption(
      new Option(
        '--node-event-aggregation-wait-seconds <s>',
        'seconds a burst of Node events gathers before one cloud lookup',
      )
        .argParser(seconds('node-event-aggregation-wait-seconds'))
        .default(1_000, '1'),
    )
    .option(
      '--enable-imdsv2',
      'read instance metadata with a session token (falls back to plain reads)',
      true,
    )
    .option('--no-enable-imdsv2')
    .option('--dry-run', 'read-only: mutating cloud calls are logged, not sent', false)
    .option('--no-dry-run')
    .option('--test', 'validate flags and configuration, then exit 0 without starting', false)
    .option('--no-test')
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
  /** Set when --version was asked for (the official CCM v1's verflag): print and exit 0. */
  version?: string;
}

export function parseFlags(argv: readonly string[]): ParseResult {
  const cmd = buildCommand();
  const { args, warnings, values } = normalizeArgv(argv);
  const stray = firstPositional(args);
  if (stray !== undefined) throw new FlagError(`unexpected argument "${stray}" (flags only)`);
  if (args.includes('--version') || args.includes('--version=true'))
    return { version: `alicloud-controller-manager ${KUBE_ALICLOUD_VERSION}\n` };
  if (args.includes('--help') || args.includes('-h'))
    return {
      help:
        cmd.helpInformation() +
        '\nFlags of the official cloud-controller-manager, kube-aliyun and klog are accepted too;\n' +
        'those without an effect here print one warning each (docs/migrating.md).\n',
    };
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
  // Native options that are accepted but change nothing warn like the compatibility flags do.
  if (o.allocateNodeCidrs === true)
    warnings.push(
      'flag --allocate-node-cidrs has no effect here: kube-controller-manager allocates Node pod CIDRs',
    );
  if (cmd.getOptionValueSource('clusterName') === 'cli')
    warnings.push(
      'flag --cluster-name has no effect here: SLB, route and disk names and tags use cloud-config Global.clusterID',
    );
  if (o.leaderElectResourceLock !== 'leases')
    warnings.push(
      `flag --leader-elect-resource-lock=${String(o.leaderElectResourceLock)} has no effect here: a Lease is held (${String(o.leaderElectResourceNamespace)}/${String(o.leaderElectResourceName)}); stop every manager that locks another kind before starting this one`,
    );
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
      leaderElectResourceLock: o.leaderElectResourceLock as string,
      instanceName: o.instanceName as string | undefined,
      inCluster: o.inCluster as boolean,
      kubeApiQps: o.kubeApiQps as number,
      kubeApiBurst: o.kubeApiBurst as number,
      enableImdsv2: o.enableImdsv2 as boolean,
      maxConcurrentActions: o.maxConcurrentActions as number,
      test: o.test as boolean,
      warnings,
      compatValues: values,
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
