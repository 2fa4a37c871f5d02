// The manager's serving flags, in the cloud-controller-manager's spelling: HTTPS on --secure-port
// with delegated authentication/authorization for everything but the health probes, and a
// plain-HTTP --port that is off unless asked for and then serves only the always-allowed paths.
// Kept apart from flags.ts so the serving surface is one place to read and review. The import
// cycle with flags.ts is safe: neither module touches the other's exports while loading.
import { Option, type Command } from 'commander';
import { servingCertificate, TlsConfigError } from '../server/tls.js';
import { FlagError } from './flag-error.js';

export interface ServingFlags {
  /** Absent: loopback outside a Pod, every address inside one (see resolveBindAddress). */
  bindAddress?: string;
  /** HTTPS port; 0 = an ephemeral port (tests). */
  securePort: number;
  /** Plain-HTTP port for the always-allowed paths only; absent = not served. 0 = ephemeral. */
  insecurePort?: number;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir?: string;
  authenticationKubeconfig?: string;
  authorizationKubeconfig?: string;
  /** Accepted for compatibility: client certificates are not looked up; bearer tokens are reviewed. */
  authenticationSkipLookup: boolean;
  alwaysAllowPaths: string[];
}

export const DEFAULT_SECURE_PORT = 10258;

function port(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > 65535) throw new FlagError(`--${flag}: invalid port "${value}"`);
    return n;
  };
}

function address(value: string): string {
  const v = value.trim();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (v4 && v4.slice(1).every((o) => Number(o) <= 255)) return v;
  if (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v)) return v;
  throw new FlagError(`--bind-address: not an IP address: "${value}"`);
}

function paths(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of list)
    if (!p.startsWith('/') || p.slice(0, -1).includes('*'))
      throw new FlagError(`--authorization-always-allow-paths: "${p}" must start with / and may end in *`);
  return list;
}

export function addServingOptions(cmd: Command): Command {
  return cmd
    .option(
      '--bind-address <ip>',
      'address of the secure port (default: 127.0.0.1 outside a Pod, 0.0.0.0 in one)',
      address,
    )
    .option(
      '--secure-port <port>',
      `HTTPS port for /metrics (authenticated) and health probes, which it also answers over plain HTTP (0 = ephemeral; default ${DEFAULT_SECURE_PORT})`,
      port('secure-port'),
    )
    .option(
      '--port <port>',
      'plain-HTTP port on 127.0.0.1 serving only the always-allowed paths (off unless set; 0 = ephemeral)',
      port('port'),
    )
    .option('--tls-cert-file <path>', 'serving certificate (PEM); default: self-signed')
    .option('--tls-private-key-file <path>', 'key of --tls-cert-file (PEM)')
    .option('--cert-dir <dir>', 'where the self-signed certificate is kept across restarts')
    .option(
      '--authentication-kubeconfig <path>',
      'kubeconfig for TokenReviews (default: the manager’s own API access)',
    )
    .option(
      '--authorization-kubeconfig <path>',
      'kubeconfig for SubjectAccessReviews (default: the manager’s own API access)',
    )
    .addOption(
      new Option(
        '--authentication-skip-lookup',
        'accepted for compatibility: only bearer tokens are authenticated, client certificates are never looked up',
      ).default(false),
    )
    .addOption(new Option('--no-authentication-skip-lookup').hideHelp())
    .option(
      '--authorization-always-allow-paths <paths>',
      'paths served without authentication (comma-separated; a trailing * is a prefix)',
      paths,
    );
}

export function servingFlagsFrom(o: Record<string, unknown>): ServingFlags {
  if ((o.tlsCertFile === undefined) !== (o.tlsPrivateKeyFile === undefined))
    throw new FlagError(
      `${o.tlsCertFile === undefined ? '--tls-cert-file' : '--tls-private-key-file'}: required when the other is set`,
    );
  return {
    ...(o.bindAddress !== undefined ? { bindAddress: o.bindAddress as string } : {}),
    securePort: (o.securePort as number | undefined) ?? DEFAULT_SECURE_PORT,
    ...(o.port !== undefined ? { insecurePort: o.port as number } : {}),
    ...(o.tlsCertFile !== undefined ? { tlsCertFile: o.tlsCertFile as string } : {}),
    ...(o.tlsPrivateKeyFile !== undefined ? { tlsPrivateKeyFile: o.tlsPrivateKeyFile as string } : {}),
    ...(o.certDir !== undefined ? { certDir: o.certDir as string } : {}),
    ...(o.authenticationKubeconfig !== undefined
      ? { authenticationKubeconfig: o.authenticationKubeconfig as string }
      : {}),
    ...(o.authorizationKubeconfig !== undefined
      ? { authorizationKubeconfig: o.authorizationKubeconfig as string }
      : {}),
    authenticationSkipLookup: o.authenticationSkipLookup as boolean,
    alwaysAllowPaths: (o.authorizationAlwaysAllowPaths as string[] | undefined) ?? [
      '/healthz',
      '/readyz',
      '/livez',
    ],
  };
}

/** Reads the certificate files once at startup, so a bad pair is a flag error, not a crash later. */
export function checkServingFiles(flags: ServingFlags): void {
  if (!flags.tlsCertFile || !flags.tlsPrivateKeyFile) return;
  try {
    servingCertificate({ certFile: flags.tlsCertFile, keyFile: flags.tlsPrivateKeyFile });
  } catch (err) {
    if (err instanceof TlsConfigError) throw new FlagError(err.message);
    throw err;
  }
}

/**
 * Outside a Pod (a developer's shell, a systemd unit) nothing but this host needs the port;
 * inside one, the kubelet's probes and Prometheus reach it on the Pod's address, and every
 * path but the probes is authenticated. The apiserver injects KUBERNETES_SERVICE_HOST into
 * every container, which is how client-go tells it runs in-cluster too.
 */
export function resolveBindAddress(flags: ServingFlags, env: NodeJS.ProcessEnv): string {
  if (flags.bindAddress !== undefined) return flags.bindAddress;
  return env.KUBERNETES_SERVICE_HOST ? '0.0.0.0' : '127.0.0.1';
}
