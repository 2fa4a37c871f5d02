// Test helpers for the Kubernetes API emulator: start one in-process, write its kubeconfig to a
// temp dir, and hand back raw REST/watch helpers plus a runner for the real `kubectl`.
// The raw helpers let tests assert wire-level details (status codes, watch frames); the
// client-node compatibility itself is covered by test/emulator/kube/client-node.test.ts.
import { execFile, spawn } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startKubeEmulator,
  type KubeEmulator,
  type KubeEmulatorOptions,
} from '../../emulators/kube/index.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Fed to kubectl's stdin (for `-f -`). */
  input?: string;
  /** Resolve with the failure instead of rejecting when kubectl exits non-zero. */
  allowFail?: boolean;
  /** Kill kubectl after this long (for `get -w`, which never exits on its own). */
  killAfterMs?: number;
}

export interface TestKube {
  emu: KubeEmulator;
  url: string;
  kubeconfigPath: string;
  dir: string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** One REST call; `body` objects are sent as JSON unless `contentType` says otherwise. */
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** Open a watch stream (path including query) and collect its events. */
  watch(path: string): Promise<WatchStream>;
  close(): Promise<void>;
}

let kubectlPresent: boolean | undefined;

/** Whether the real kubectl binary can be run (tests that need it skip otherwise). */
export function hasKubectl(): Promise<boolean> {
  if (kubectlPresent !== undefined) return Promise.resolve(kubectlPresent);
  return new Promise((resolve) => {
    execFile('kubectl', ['version', '--client'], (err) => {
      kubectlPresent = !err;
      resolve(kubectlPresent);
    });
  });
}

export function runKubectl(
  kubeconfigPath: string,
  cacheDir: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const argv = ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, '--request-timeout=5s', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killed = false;
    const killer = opts.killAfterMs
      ? setTimeout(() => {
          killed = true;
          child.kill('SIGTERM');
        }, opts.killAfterMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const result = { code: code ?? (signal ? 0 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFail && !killed) {
        reject(new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${stderr.trim()}`));
      } else resolve(result);
    });
    child.stdin.end(opts.input ?? '');
  });
}

export async function startTestKube(opts: KubeEmulatorOptions = {}): Promise<TestKube> {
  const emu = await startKubeEmulator(opts);
  const dir = await mkdtemp(join(tmpdir(), 'kube-emu-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await emu.writeKubeconfig(kubeconfigPath);
  return {
    emu,
    url: emu.url,
    kubeconfigPath,
    dir,
    api: (method, path, body, contentType) => apiCall(emu.url, method, path, body, contentType),
    watch: (path) => openWatch(emu.url, path),
    kubectl: (args, o) => runKubectl(kubeconfigPath, join(dir, 'cache'), args, o),
    close: async () => {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into JSON bodies
  body: any;
  headers: IncomingMessage['headers'];
}

export function apiCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      {
        method,
        headers: {
          Accept: 'application/json',
          ...(payload !== undefined ? { 'Content-Type': contentType } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* non-JSON bodies (healthz) stay text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into JSON bodies
  object: any;
}

export interface WatchStream {
  status: number;
  events: WatchEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openWatch(base: string, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers: { Accept: 'application/json' } }, (res) => {
      const events: WatchEvent[] = [];
      let buf = '';
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
      });
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
        }
      });
      resolve({ status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
