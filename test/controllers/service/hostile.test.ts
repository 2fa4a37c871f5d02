// Hostile tenant replay (issue #14, SLB part): every attack of chaos/lib/hostile-slb.ts against
// the in-process Service controller and both emulators. Each must be refused with its specific
// Event and leave the victims' SLBs and VServer groups byte-for-byte unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { createLogger } from '../../../src/util/log.js';
import {
  replaySlbAttack,
  seedVictims,
  serviceEvents,
  SLB_ATTACKS,
  snapshotVictims,
  VICTIM_NS,
  type SlbArena,
  type Victims,
} from '../../../chaos/lib/hostile-slb.js';
import { startHarness, type Harness } from './harness.js';

describe('hostile tenant: SLB attacks from another namespace', function () {
  this.timeout(60_000);
  let h: Harness;
  let operator: Cloud;
  let arena: SlbArena;
  let victims: Victims;

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ nodes: 3 });
    operator = createCloud(
      {
        region: h.region,
        endpoints: { ecs: h.cloudEmu.url, vpc: h.cloudEmu.url, slb: h.cloudEmu.url },
        accessKeyId: h.cloudEmu.accessKeyId,
        accessKeySecret: h.cloudEmu.accessKeySecret,
        callerIdentity: 'account-owner',
        qps: { ecs: 0, vpc: 0, slb: 0 },
        logger: createLogger('operator', { level: 'silent' }),
      },
      { env: {} },
    );
    const state = h.cloudEmu.emu.state;
    arena = {
      state,
      store: h.kube.emu.store,
      operator: operator.slb,
      clusterId: 'test-cluster',
      vSwitchId: Object.values(state.vswitches)[0]!.VSwitchId,
      settle: async () => {
        let last = -1;
        for (let same = 0; same < 3;) {
          await new Promise((r) => setTimeout(r, 40));
          const mark = h.cloudEmu.emu.calls().length;
          same = h.runnable.controller.pending() === 0 && mark === last ? same + 1 : 0;
          last = mark;
        }
      },
    };
    victims = await seedVictims(arena);
  });
  after(async () => {
    operator?.close();
    await h?.stop();
  });

  for (const attack of SLB_ATTACKS) {
    it(attack.name, async () => {
      const outcome = await replaySlbAttack(arena, victims, attack);
      assert.deepEqual(outcome.problems, [], JSON.stringify(outcome.event));
      assert.equal(outcome.unchanged, true);
    });
  }

  it('the victims still sync cleanly afterwards (one SLB per lookup, no Warning)', async () => {
    const before = snapshotVictims(arena, victims);
    await h.runnable.controller.driftCheck();
    await arena.settle();
    for (const name of ['shop', 'web']) {
      const warnings = serviceEvents(arena.store, VICTIM_NS, name).filter((e) => e.type === 'Warning');
      assert.deepEqual(warnings, [], `${name} got a Warning`);
    }
    assert.equal(snapshotVictims(arena, victims), before);
  });
});
