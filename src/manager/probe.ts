// A test-only controller (enabled by KUBE_ALICLOUD_TEST_PROBE=1, never listed otherwise) that
// "acts" by writing its identity into ConfigMap kube-system/ccm-probe every few milliseconds.
// The two-process leader-election test orders these writes against Lease changes by
// resourceVersion to prove that no process writes while it is not the lease holder.
import { isNotFound } from '../kube/errors.js';
import { Resources } from '../kube/resources.js';
import { ContentType } from '../kube/rest.js';
import { sleep, realClock } from '../util/clock.js';
import type { Controller, ControllerContext } from './registry.js';

export const PROBE_ENV = 'KUBE_ALICLOUD_TEST_PROBE';
export const PROBE_NAME = 'test-probe';

export function createProbeController(ctx: ControllerContext): Controller {
  const identity = ctx.identity;
  const intervalMs = Number(process.env.KUBE_ALICLOUD_TEST_PROBE_INTERVAL_MS ?? 50);
  return {
    name: PROBE_NAME,
    async run(signal) {
      for (let seq = 1; !signal.aborted; seq++) {
        const data = { actor: identity, seq: String(seq) };
        try {
          await ctx.kube.patch(
            Resources.configmaps,
            'kube-system',
            'ccm-probe',
            { data },
            ContentType.merge,
            undefined,
            signal,
          );
        } catch (err) {
          if (signal.aborted) break;
          if (isNotFound(err)) {
            await ctx.kube
              .create(
                Resources.configmaps,
                'kube-system',
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: 'ccm-probe', namespace: 'kube-system' },
                  data,
                } as never,
                signal,
              )
              .catch(() => undefined);
          }
        }
        await sleep(realClock, intervalMs, signal);
      }
    },
  };
}
