// Where the Nlb SDK puts each parameter (catalog `position`, checked by test/cloud/nlb-wire.test.ts):
// 30 actions send everything in the form body, these send everything in the query, and two
// split. The ACS3 signature covers both parts, so the split must match what the service expects.

const QUERY_ACTIONS: ReadonlySet<string> = new Set([
  'GetLoadBalancerAttribute',
  'ListLoadBalancers',
  'GetListenerAttribute',
  'ListListeners',
  'GetListenerHealthStatus',
  'DescribeZones',
  'GetJobStatus',
  'ListAsynJobs',
]);

/** ListServerGroups sends its tag filter in the query; DescribeRegions all but ClientToken. */
function splitInQuery(action: string, key: string): boolean | undefined {
  if (action === 'ListServerGroups') return /^Tag\.\d+\./.test(key);
  if (action === 'DescribeRegions') return key !== 'ClientToken';
  return undefined;
}

export function nlbParamInQuery(action: string, key: string): boolean {
  return splitInQuery(action, key) ?? QUERY_ACTIONS.has(action);
}
