// P4: 1000 Nodes join at once. The route controller (real cloud stack: signed RPC, rate limiter,
// VPC facade) runs against the Alibaba Cloud emulator at 20 QPS per action and 30 ms latency per
// call, with the route quota raised to fit. Measures the time until every route is Available
// against the bound the emulator imposes, and the listing calls one pass makes per table.
//
//   npx tsx bench/routes.ts [--nodes 1000] [--transition-ms 200]
import { randomBytes } from 'node:crypto';
import { createCloud } from '../src/cloud/index.js';
import { createRoutePort, VPC_ROUTE_LIMITS } from '../src/controllers/route/cloudport/adapter.js';
import { RouteController, type RouteNode } from '../src/controllers/route/controller.js';
import { resolveRouteTables } from '../src/controllers/route/inputs.js';
import { parseClusterCidrs } from '../src/controllers/route/model/index.js';
import { createInstance, startAlicloudEmulator } from '../emulators/alicloud/index.js';
import { silentLogger } from '../src/util/log.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const NODES = arg('nodes', 1000);
const TRANSITION_MS = arg('transition-ms', 200);
const LATENCY_MS = 30;
const QPS = 20;
const ROUTE_ACTIONS = [
  'DescribeRouteEntryList',
  'CreateRouteEntries',
  'DeleteRouteEntries',
  'DescribeRouteTableList',
  'DescribeVRouters',
];

async function main(): Promise<void> {
  const accessKeyId = `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = randomBytes(15).toString('base64url');
  const emu = await startAlicloudEmulator({ port: 0, accessKeyId, accessKeySecret });
  emu.mergeState({ config: { routeQuotaPerTable: NODES + 100, routeTransitionMs: TRANSITION_MS } });
  const vpcId = Object.keys(emu.state.vpcs)[0]!;
  const vswitches = Object.values(emu.state.vswitches).map((v) => v.VSwitchId);
  const nodes: RouteNode[] = [];
  for (let i = 0; i < NODES; i++) {
    const inst = createInstance(emu.state, { VSwitchId: vswitches[i % vswitches.length]! });
    nodes.push({
      metadata: { name: `node-${i}`, uid: `uid-${i}` },
      spec: {
        podCIDR: `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`,
        providerID: `cn-hangzhou.${inst.InstanceId}`,
      },
      status: { conditions: [] },
    });
  }
  emu.setFaults({
    '*': { latencyMs: LATENCY_MS },
    ...Object.fromEntries(ROUTE_ACTIONS.map((a) => [a, { qps: QPS }])),
  });

  // The client's own limiter is set above the emulator's per-action budget (several actions
  // share it), so what is measured is the controller's pacing, not an artificial client cap.
  const cloud = createCloud({
    region: 'cn-hangzhou',
    endpoints: { vpc: emu.url, ecs: emu.url, slb: emu.url },
    accessKeyId,
    accessKeySecret,
    qps: { vpc: QPS * 3 },
    logger: silentLogger,
  });
  const port = createRoutePort(cloud.vpc, async () => vpcId);
  let conditionsWritten = 0;
  const visible: RouteNode[] = [];
  const controller = new RouteController({
    port,
    nodes: { list: () => visible, synced: () => true },
    setCondition: async () => void conditionsWritten++,
    recordEvent: () => undefined,
    logger: silentLogger,
    resolveTables: () => resolveRouteTables(port, {}),
    clusterCidrs: parseClusterCidrs('10.64.0.0/10'),
    clusterId: 'bench',
    periodMs: 3_600_000,
    aggregationMs: 200,
  });
  const stop = new AbortController();
  const tableId = (await resolveRouteTables(port, {})).tables[0]!.routeTableId;
  const running = controller.start(stop.signal);
  await new Promise((r) => setTimeout(r, 300)); // the empty startup pass
  emu.clearCalls();

  // 1000 Node "added" events in one burst.
  const t0 = Date.now();
  for (const n of nodes) {
    visible.push(n);
    controller.notify();
  }
  const availableCount = () =>
    Object.values(emu.state.routeEntries).filter((e) => e.Type === 'Custom' && e.Status === 'Available')
      .length;
  // Bounded wait: 10 minutes at most.
  for (let i = 0; i < 60_000 && availableCount() < NODES; i++) await new Promise((r) => setTimeout(r, 10));
  const elapsed = Date.now() - t0;
  const burstCalls = emu.calls();

  // A steady-state pass over the full table: listing calls per pass.
  emu.clearCalls();
  const steady = await controller.runPass();
  const steadyCalls = emu.calls();
  stop.abort();
  await running.catch(() => undefined);
  cloud.close();
  await emu.close();

  const batches = Math.ceil(NODES / VPC_ROUTE_LIMITS.maxBatch);
  // Lower bounds any client faces: the VPC serialises a table's changes (each batch must finish
  // its Pending → Available transition before the next is accepted), every call costs the
  // latency, and each action is held to QPS calls per second.
  const serialBoundMs = LATENCY_MS /* listing */ + batches * (LATENCY_MS + TRANSITION_MS);
  const throttleBoundMs = (batches / QPS) * 1000;
  const boundMs = Math.max(serialBoundMs, throttleBoundMs) + controllerAggregationMs();
  const listingFull = (calls: typeof steadyCalls) =>
    calls.filter(
      (c) =>
        c.action === 'DescribeRouteEntryList' &&
        c.params.RouteTableId === tableId &&
        !Object.keys(c.params).some((k) => k.startsWith('DestCidrBlockList')),
    ).length;
  const pages = Math.ceil(NODES / VPC_ROUTE_LIMITS.pageSize);
  const count = (calls: typeof steadyCalls, action: string, code?: string) =>
    calls.filter((c) => c.action === action && (!code || c.code === code)).length;

  const ratio = elapsed / boundMs;
  const steadyListing = listingFull(steadyCalls);
  const out = {
    benchmark: 'P4 route controller: 1000 Nodes join at once',
    nodes: NODES,
    emulator: {
      qpsPerAction: QPS,
      latencyMs: LATENCY_MS,
      routeTransitionMs: TRANSITION_MS,
      batchMax: VPC_ROUTE_LIMITS.maxBatch,
      pageSize: VPC_ROUTE_LIMITS.pageSize,
    },
    timeToAllAvailableMs: elapsed,
    boundMs: Math.round(boundMs),
    bounds: {
      serialisedTransitionsMs: serialBoundMs,
      throttleMs: Math.round(throttleBoundMs),
      aggregationWaitMs: controllerAggregationMs(),
    },
    ratio: Number(ratio.toFixed(2)),
    ratioTarget: 1.2,
    ratioOk: ratio <= 1.2,
    burst: {
      createCalls: count(burstCalls, 'CreateRouteEntries'),
      createRefused: burstCalls.filter((c) => c.action === 'CreateRouteEntries' && c.code !== 'Success')
        .length,
      fullListings: listingFull(burstCalls),
      transitionPolls: count(burstCalls, 'DescribeRouteEntryList') - listingFull(burstCalls),
      throttled: burstCalls.filter((c) => c.code.startsWith('Throttling')).length,
      conditionsWritten,
    },
    steadyPass: {
      listingCallsPerTable: steadyListing,
      listingTarget: pages + 1,
      listingOk: steadyListing <= pages + 1,
      mutatingCalls: steadyCalls.filter((c) => /^(Create|Delete)/.test(c.action)).length,
      passMs: steady.durationMs,
    },
  };
  console.log(JSON.stringify(out, null, 2));
  console.log(
    `P4 routes: ${NODES} nodes → all Available in ${(elapsed / 1000).toFixed(2)} s; bound ${(boundMs / 1000).toFixed(2)} s; ` +
      `ratio ${ratio.toFixed(2)} (target ≤ 1.2) ${ratio <= 1.2 ? 'OK' : 'MISSED'}; ` +
      `listing calls/pass/table ${steadyListing} (target ≤ ${pages + 1}) ${steadyListing <= pages + 1 ? 'OK' : 'MISSED'}`,
  );
  // A missed target must fail the run so `npm run bench` (run-all.ts) reports it.
  if (!out.ratioOk || !out.steadyPass.listingOk) {
    console.log('MISSED: P4 target(s) not met (see above)');
    process.exitCode = 1;
  }
}

/** The burst is gathered for this long before the first pass (part of the design, so part of the bound). */
function controllerAggregationMs(): number {
  return 200;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
