// The drift pass's cheap read: many SLBs by id, ten per DescribeLoadBalancers call (the API's
// limit for its comma-separated `LoadBalancerId`), a few calls in flight at a time.
import { MAX_IDS_PER_DESCRIBE, type LoadBalancer, type ServiceCloudPort } from '../cloudport.js';

export interface BatchRead {
  /** The answer per id; an id that was asked for and is absent does not exist (any more). */
  found: Map<string, LoadBalancer>;
  /** Ids whose call failed: nothing is known about them on this pass. */
  failed: Set<string>;
  calls: number;
  errors: unknown[];
}

export async function readLoadBalancersById(
  cloud: Pick<ServiceCloudPort, 'describeLoadBalancers'>,
  ids: readonly string[],
  concurrency = 4,
): Promise<BatchRead> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_IDS_PER_DESCRIBE)
    chunks.push(unique.slice(i, i + MAX_IDS_PER_DESCRIBE));
  const out: BatchRead = { found: new Map(), failed: new Set(), calls: 0, errors: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      out.calls++;
      try {
        const lbs = await cloud.describeLoadBalancers({ loadBalancerId: chunk.join(',') });
        const asked = new Set(chunk);
        // Only what was asked for: an answer that strays outside the ids proves nothing.
        for (const lb of lbs) if (asked.has(lb.LoadBalancerId)) out.found.set(lb.LoadBalancerId, lb);
      } catch (err) {
        for (const id of chunk) out.failed.add(id);
        out.errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  return out;
}
