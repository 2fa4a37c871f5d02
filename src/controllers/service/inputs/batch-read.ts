// The drift passes' cheap read: many load balancers by id, as many per call as the API takes (10
// SLB ids per DescribeLoadBalancers, 20 NLB ids per ListLoadBalancers), a few calls in flight.
import { chunk } from '../../../util/chunk.js';
import { MAX_IDS_PER_DESCRIBE, type LoadBalancer, type ServiceCloudPort } from '../cloudport.js';

export interface BatchRead<T = LoadBalancer> {
  /** The answer per id; an id that was asked for and is absent does not exist (any more). */
  found: Map<string, T>;
  /** Ids whose call failed: nothing is known about them on this pass. */
  failed: Set<string>;
  calls: number;
  errors: unknown[];
}

export interface BatchReader<T> {
  /** Ids one call may carry (the API's limit). */
  perCall: number;
  fetch(ids: string[]): Promise<readonly T[]>;
  idOf(record: T): string | undefined;
}

export async function readByIds<T>(
  ids: readonly string[],
  reader: BatchReader<T>,
  concurrency = 4,
): Promise<BatchRead<T>> {
  const chunks = chunk([...new Set(ids)], reader.perCall);
  const out: BatchRead<T> = { found: new Map(), failed: new Set(), calls: 0, errors: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const ids = chunks[next++]!;
      out.calls++;
      try {
        const asked = new Set(ids);
        // Only what was asked for: an answer that strays outside the ids proves nothing.
        for (const record of await reader.fetch(ids)) {
          const id = reader.idOf(record);
          if (id && asked.has(id)) out.found.set(id, record);
        }
      } catch (err) {
        for (const id of ids) out.failed.add(id);
        out.errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  return out;
}

export function readLoadBalancersById(
  cloud: Pick<ServiceCloudPort, 'describeLoadBalancers'>,
  ids: readonly string[],
  concurrency = 4,
): Promise<BatchRead> {
  return readByIds(
    ids,
    {
      perCall: MAX_IDS_PER_DESCRIBE,
      fetch: (chunk) => cloud.describeLoadBalancers({ loadBalancerId: chunk.join(',') }),
      idOf: (lb) => lb.LoadBalancerId,
    },
    concurrency,
  );
}
