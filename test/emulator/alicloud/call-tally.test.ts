// The call tally a bench polls instead of copying the call log: it must count every call, also
// past the log's cap, and start over with the log on clear.
import assert from 'node:assert/strict';
import { CallLog, type CallRecord } from '../../../emulators/alicloud/calls.js';

const call = (action: string): CallRecord => ({
  product: 'Ecs',
  action,
  code: 'Success',
  status: 200,
  time: new Date(0).toISOString(),
  requestId: 'r',
  params: {},
});

describe('alicloud emulator: CallLog.tally', () => {
  it('counts calls by action beyond the capped record list, and clears with it', () => {
    const log = new CallLog(3);
    for (let i = 0; i < 4; i++) log.add(call('DescribeInstances'));
    log.add(call('ModifyInstanceAttribute'));
    assert.equal(log.all().length, 3);
    assert.deepEqual(log.tally(), { DescribeInstances: 4, ModifyInstanceAttribute: 1 });
    // A copy: the caller cannot change what the next poll sees.
    log.tally().DescribeInstances = 0;
    assert.equal(log.tally().DescribeInstances, 4);
    log.clear();
    assert.deepEqual(log.tally(), {});
    assert.equal(log.all().length, 0);
  });
});
