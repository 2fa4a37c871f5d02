// Runs the real controller-manager (src/manager/main.ts under tsx, so the test exercises the
// current source) against both emulators, and collects its stdout/stderr for failure reports.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestEmulator } from '../../helpers/alicloud.js';
import type { TestKube } from '../../helpers/kube.js';
import { managerEntry } from '../../helpers/entry.js';

export interface ManagerProcess {
  child: ChildProcess;
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

export async function startManagerProcess(
  kube: TestKube,
  cloud: TestEmulator,
  args: string[],
  env: Record<string, string> = {},
): Promise<ManagerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...managerEntry(),
      '--kubeconfig',
      kube.kubeconfigPath,
      '--leader-elect=false',
      '--port',
      '0',
      '--secure-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ALIYUN_ACCESS_KEY: cloud.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: cloud.accessKeySecret,
        ALIYUN_REGION: 'cn-hangzhou',
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
        LOG_LEVEL: 'debug',
        ...env,
      },
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`controller-manager exited ${code} before listening:\n${err.slice(-4000)}`));
    child.once('exit', onExit);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        try {
          const msg = JSON.parse(line) as { event?: string; url?: string };
          if (msg.event === 'listening' && msg.url) {
            child.off('exit', onExit);
            resolve(msg.url);
          }
        } catch {
          /* partial line */
        }
      }
    });
  });
  return {
    child,
    url,
    logs: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
