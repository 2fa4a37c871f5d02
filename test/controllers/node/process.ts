// Runs the real controller-manager against both emulators (test/helpers/manager.ts decides
// built or source), and collects its stderr for failure reports.
import type { ChildProcess } from 'node:child_process';
import type { TestEmulator } from '../../helpers/alicloud.js';
import type { TestKube } from '../../helpers/kube.js';
import { spawnManager } from '../../helpers/manager.js';

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
  const m = spawnManager(
    [
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
      ALIYUN_ACCESS_KEY: cloud.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: cloud.accessKeySecret,
      ALIYUN_REGION: 'cn-hangzhou',
      ECS_ENDPOINT: cloud.url,
      VPC_ENDPOINT: cloud.url,
      SLB_ENDPOINT: cloud.url,
      NLB_ENDPOINT: cloud.url,
      METADATA_ENDPOINT: cloud.url,
      LOG_LEVEL: 'debug',
      ...env,
    },
  );
  const url = await m.listening;
  return { child: m.proc, url, logs: () => m.stderr(), stop: () => m.stop() };
}
