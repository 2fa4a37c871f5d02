// Flags that other managers' manifests pass and that mean nothing here. They are accepted so a
// manifest written for the official cloud-controller-manager (v1 and v2), for kube-aliyun, or
// with klog/glog logging flags starts unchanged; each one given becomes exactly one warning line
// naming it. Flags that do have a meaning here are real options in flags.ts, and spellings that
// only differ (kube-aliyun's `--route-reconcilation-period`, glog's underscores) are rewritten
// to them by ALIASES. Anything in neither list stays an unknown flag.

/** Where a flag comes from, for docs/migrating.md and the tests that check it. */
export type FlagOrigin = 'official' | 'official-v1' | 'kube-aliyun' | 'klog' | 'client-go';

export interface CompatFlag {
  /** Long name without dashes, in dash spelling (underscores are normalised before lookup). */
  name: string;
  /** true = takes a value (`--x=v` or `--x v`); false = boolean (`--x`, `--x=true|false`). */
  takesValue: boolean;
  origins: readonly FlagOrigin[];
  /** The warning's reason. */
  why: string;
  /**
   * The one value that is what happens here anyway: given with it, the flag warns nothing.
   * Booleans default to `false` (turning off a feature this manager does not have).
   */
  quietFor?: string;
  /** A value that cannot be meant for this manager: the error's reason. */
  reject?: (value: string) => string | undefined;
}

const NO_PROFILING = 'this manager serves no profiling endpoint';
const KLOG = 'logs are JSON lines on stderr; verbosity is --v or --log-level';
const KUBECONFIG = 'put apiserver credentials and overrides in a kubeconfig file (--kubeconfig)';

export const COMPAT_FLAGS: readonly CompatFlag[] = [
  // The official CCM (pkg/config): parsed there, meaningless or unused here.
  {
    name: 'cloud-provider',
    takesValue: true,
    origins: ['official', 'official-v1'],
    why: 'this binary is the Alibaba Cloud provider',
    reject: (v) =>
      ['', 'alicloud', 'alibabacloud', 'alibaba-cloud', 'external'].includes(v.trim())
        ? undefined
        : `"${v}" is not Alibaba Cloud (expected alicloud, alibabacloud or external)`,
  },
  {
    name: 'use-service-account-credentials',
    takesValue: false,
    origins: ['official', 'official-v1'],
    why: "every controller uses the manager's own credentials (one ServiceAccount, deploy/rbac.yaml)",
  },
  {
    name: 'allow-untagged-cloud',
    takesValue: false,
    origins: ['official', 'official-v1'],
    why: 'instances need no cluster tag here',
  },
  {
    name: 'feature-gates',
    takesValue: true,
    origins: ['official', 'official-v1'],
    why: 'Kubernetes feature gates do not apply to this manager; its own gates are cloud-config Global.featureGates',
  },
  {
    name: 'route-reconcile-batch-size',
    takesValue: true,
    origins: ['official'],
    why: 'route changes are sent in batches of up to 50 entries, the VPC API limit, for every Node that changed',
  },
  {
    name: 'sg-batch-size',
    takesValue: true,
    origins: ['official'],
    why: 'vServer group backends are sent 20 per call, the SLB API limit',
  },
  {
    name: 'server-group-batch-size',
    takesValue: true,
    origins: ['official'],
    why: 'vServer group backends are sent 20 per call, the SLB API limit',
  },
  {
    name: 'max-throttling-retry-times',
    takesValue: true,
    origins: ['official'],
    why: 'throttled NLB calls (like every other) back off and retry under the client-wide retry policy',
  },
  {
    name: 'network',
    takesValue: true,
    origins: ['official'],
    why: 'API endpoints are the VPC ones (<product>-vpc.<region>.aliyuncs.com); use ECS_ENDPOINT/VPC_ENDPOINT/SLB_ENDPOINT/NLB_ENDPOINT or cloud-config endpoints for others',
    quietFor: 'vpc',
  },
  {
    name: 'metrics-bind-addr',
    takesValue: true,
    origins: ['official'],
    why: '/metrics is served by the HTTPS server (--bind-address, --secure-port)',
  },
  {
    name: 'health-probe-bind-addr',
    takesValue: true,
    origins: ['official'],
    why: '/healthz and /readyz are served by the health server (--bind-address, --secure-port)',
  },
  { name: 'pprof-bind-addr', takesValue: true, origins: ['official'], why: NO_PROFILING },
  // The official CCM v1 (cmd/cloudprovider/app/options, deploy/v1).
  {
    name: 'address',
    takesValue: true,
    origins: ['official-v1'],
    why: 'the health server listens on --bind-address',
  },
  { name: 'profiling', takesValue: false, origins: ['official-v1', 'kube-aliyun'], why: NO_PROFILING },
  { name: 'contention-profiling', takesValue: false, origins: ['official-v1'], why: NO_PROFILING },
  {
    name: 'min-resync-period',
    takesValue: true,
    origins: ['official-v1'],
    why: 'informers resync every 30s and each controller has its own full-reconcile period',
  },
  {
    name: 'node-status-update-frequency',
    takesValue: true,
    origins: ['official-v1'],
    why: 'Node addresses are refreshed every --node-monitor-period',
  },
  {
    name: 'kube-api-content-type',
    takesValue: true,
    origins: ['official-v1'],
    why: 'apiserver requests are JSON',
  },
  {
    name: 'controller-start-interval',
    takesValue: true,
    origins: ['official-v1'],
    why: 'controllers start together once the lease is held',
  },
  // kube-aliyun (cmd/aliyun-controller, pkg/controller/options.go).
  {
    name: 'shutdown-grace-period',
    takesValue: true,
    origins: ['kube-aliyun'],
    why: 'losing the lease stops every controller and exits at once',
  },
  {
    name: 'provision-retry',
    takesValue: true,
    origins: ['kube-aliyun'],
    why: 'a failed provisioning is retried with backoff until the claim changes or is deleted',
  },
  { name: 'profiling-host', takesValue: true, origins: ['kube-aliyun'], why: NO_PROFILING },
  { name: 'profiling-port', takesValue: true, origins: ['kube-aliyun'], why: NO_PROFILING },
  {
    name: 'log-flush-frequency',
    takesValue: true,
    origins: ['kube-aliyun', 'official-v1'],
    why: 'logs are written unbuffered',
  },
  // client-go's kubeconfig override flags, which kube-aliyun bound (clientcmd.BindOverrideFlags).
  { name: 'as', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'as-group', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'certificate-authority', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'client-certificate', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'client-key', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'token', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'username', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'password', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'insecure-skip-tls-verify', takesValue: false, origins: ['client-go'], why: KUBECONFIG },
  { name: 'tls-server-name', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'context', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'user', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  { name: 'namespace', takesValue: true, origins: ['client-go'], why: KUBECONFIG },
  {
    name: 'cluster',
    takesValue: true,
    origins: ['client-go'],
    why: 'SLB, route and disk names and tags use cloud-config Global.clusterID; the kubeconfig cluster is chosen by its current context',
  },
  {
    name: 'request-timeout',
    takesValue: true,
    origins: ['client-go'],
    why: 'apiserver requests time out after 30s; watches are long-lived',
  },
  // klog (official CCM) and glog (kube-aliyun) flags; --v is a real option.
  {
    name: 'logtostderr',
    takesValue: false,
    origins: ['klog'],
    why: KLOG,
    quietFor: 'true',
  },
  { name: 'alsologtostderr', takesValue: false, origins: ['klog'], why: KLOG },
  { name: 'log-dir', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'log-file', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'log-file-max-size', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'skip-headers', takesValue: false, origins: ['klog'], why: KLOG },
  { name: 'skip-log-headers', takesValue: false, origins: ['klog'], why: KLOG },
  { name: 'stderrthreshold', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'vmodule', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'log-backtrace-at', takesValue: true, origins: ['klog'], why: KLOG },
  { name: 'add-dir-header', takesValue: false, origins: ['klog'], why: KLOG },
  { name: 'one-output', takesValue: false, origins: ['klog'], why: KLOG },
];

/** Other spellings of real options (dash spelling) → the option they mean. */
export const ALIASES: Readonly<Record<string, string>> = {
  // kube-aliyun's spelling (pkg/controller/options.go).
  'route-reconcilation-period': 'route-reconciliation-period',
};

const BY_NAME = new Map(COMPAT_FLAGS.map((f) => [f.name, f]));

export function compatFlag(name: string): CompatFlag | undefined {
  return BY_NAME.get(name);
}

/** One warning line for a compatibility flag given with `value`, or undefined when it changes nothing. */
export function compatWarning(flag: CompatFlag, value: string): string | undefined {
  const quiet = flag.quietFor ?? (flag.takesValue ? undefined : 'false');
  if (quiet !== undefined && value.trim() === quiet) return undefined;
  return `flag --${flag.name} has no effect here: ${flag.why}`;
}
