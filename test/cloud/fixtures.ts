// Shared setup for src/cloud tests: a Cloud wired to an in-process emulator, with a log capture
// so tests can assert that no secret reaches any log line, and no real backoff waiting.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createCloud, type Cloud, type CloudConfig, type CloudDeps } from '../../src/cloud/index.js';
import { createLogger } from '../../src/util/log.js';
import type { TestEmulator } from '../helpers/alicloud.js';

export interface LogCapture {
  lines: string[];
  stream: Writable;
}

export function captureLog(): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

export interface TestCloud {
  cloud: Cloud;
  log: LogCapture;
  registry: Registry;
  sleeps: number[];
}

/** A cloud whose every product endpoint and metadata point at the emulator. */
export function cloudFor(
  t: TestEmulator,
  config: Partial<CloudConfig> = {},
  deps: Partial<CloudDeps> = {},
): TestCloud {
  const log = captureLog();
  const registry = new Registry();
  const sleeps: number[] = [];
  const cloud = createCloud(
    {
      region: t.emu.state.regionId,
      endpoints: { ecs: t.url, vpc: t.url, slb: t.url, nlb: t.url },
      metadataEndpoint: t.url,
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      callerIdentity: 'cloud-test',
      qps: { ecs: 0, vpc: 0, slb: 0, nlb: 0 },
      retry: { maxAttempts: 5, deadlineMs: 30_000, baseDelayMs: 1, maxDelayMs: 4 },
      logger: createLogger('cloud-test', { level: 'debug', destination: log.stream }),
      ...config,
    },
    {
      env: {},
      registry,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...deps,
    },
  );
  return { cloud, log, registry, sleeps };
}

export async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
