// Runs containers of the built image the way deploy/ runs them: the container's `command` replaces
// the image ENTRYPOINT (as in a Pod), and its securityContext becomes the matching podman flags.
// Uses the containers.conf / storage.conf that `npm run image` printed, so nothing in /etc is used.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAllDocuments } from 'yaml';

export interface BuiltImage {
  event: 'image';
  ref: string;
  containersConf: string;
  storageConf: string;
  sizeBytes: number;
  buildSeconds: number;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface ManifestContainer {
  name: string;
  command: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

/** The first container of the workload `name` in deploy/<file>. */
export function manifestContainer(file: string, name: string): ManifestContainer {
  const docs = parseAllDocuments(readFileSync(join(process.cwd(), 'deploy', file), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  const workload = docs.find(
    (d) =>
      ['Deployment', 'DaemonSet'].includes(String(d.kind)) && (d.metadata as { name?: string }).name === name,
  );
  if (!workload) throw new Error(`deploy/${file} has no workload ${name}`);
  const spec = (workload.spec as { template: { spec: { containers: ManifestContainer[] } } }).template.spec;
  return spec.containers[0]!;
}

/**
 * podman flags for a Kubernetes securityContext. The user is the image's (USER 1000:1000) unless
 * runAsUser says otherwise; a read-only root gets no tmpfs mounts (podman adds /tmp, /run and
 * /var/tmp by default; a Pod gets none).
 */
export function securityFlags(sc: SecurityContext = {}, imageUid = 1000): string[] {
  const flags: string[] = [];
  const uid = sc.runAsUser ?? imageUid;
  if (sc.runAsUser !== undefined) flags.push(`--user=${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`);
  if (sc.privileged) flags.push('--privileged');
  if (sc.allowPrivilegeEscalation === false) flags.push('--security-opt=no-new-privileges');
  if (sc.readOnlyRootFilesystem) flags.push('--read-only', '--read-only-tmpfs=false');
  for (const c of sc.capabilities?.drop ?? []) flags.push(`--cap-drop=${c.toLowerCase()}`);
  // Kubernetes runtimes grant added capabilities in the bounding, permitted and effective sets only,
  // so a non-root process loses them when it execs (there is no ambient set). podman also fills the
  // ambient set for a non-root --user, which would let a manifest pass here and fail in a cluster:
  // for a non-root user, added capabilities are therefore left out, as they would be in effect.
  if (uid === 0) for (const c of sc.capabilities?.add ?? []) flags.push(`--cap-add=${c.toLowerCase()}`);
  return flags;
}

export class Podman {
  private readonly env: NodeJS.ProcessEnv;
  private readonly names = new Set<string>();

  constructor(readonly image: BuiltImage) {
    this.env = {
      ...process.env,
      CONTAINERS_CONF: image.containersConf,
      CONTAINERS_STORAGE_CONF: image.storageConf,
    };
  }

  /** A unique container name (parallel runs must not collide); removed by cleanup(). */
  name(prefix: string): string {
    const n = `${prefix}-${randomBytes(4).toString('hex')}`;
    this.names.add(n);
    return n;
  }

  /** Runs podman to completion. */
  run(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'podman',
        args,
        { env: this.env, timeout: timeoutMs, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : -1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Starts a long-running container; resolves with it once `ready` accepts a stdout line. */
  start(
    args: string[],
    ready: (line: string) => boolean,
    timeoutMs = 60_000,
  ): Promise<{ child: ChildProcess; line: string; output: () => string }> {
    const child = spawn('podman', args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`container not ready in ${timeoutMs} ms: ${output.slice(-3000)}`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        output += line + '\n';
        if (ready(line)) {
          clearTimeout(timer);
          resolve({ child, line, output: () => output });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `podman ${args.slice(0, 3).join(' ')} exited ${code} before it was ready: ${output.slice(-3000)}`,
          ),
        );
      });
    });
  }

  async cleanup(): Promise<void> {
    for (const n of this.names) await this.run(['rm', '--force', '--time=2', n]);
    this.names.clear();
  }
}

/** `--entrypoint` replaced by the manifest's command, as a Pod's `command` replaces ENTRYPOINT. */
export function entrypoint(command: readonly string[]): string[] {
  return [`--entrypoint=${JSON.stringify(command)}`];
}
