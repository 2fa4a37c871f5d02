// The compatibility surface as an operator meets it, in the real process: kube-aliyun's --test
// validates and exits 0 after one warning line per no-effect flag, --version prints and exits 0,
// --help shows durations in the flag's unit, and an unknown flag is still exit 1 with one line.
import assert from 'node:assert/strict';
import { runManagerToExit, spawnManager } from '../helpers/manager.js';

const ENV = { ALIYUN_REGION: 'cn-hangzhou' };

describe('manager process: compatibility flags', function () {
  this.timeout(180_000);

  it('--test with the official v1 flags: one warning per no-effect flag, then exit 0 without starting', async () => {
    const m = spawnManager(
      [
        '--test',
        '--master=http://127.0.0.1:9',
        '--address=127.0.0.1',
        '--cloud-provider=alicloud',
        '--log_dir=/var/log',
        '--logtostderr=true',
        '--controllers=node,route,service,nlb',
        '--configure-cloud-routes=false',
      ],
      ENV,
    );
    const { code } = await m.exited;
    assert.equal(code, 0, m.stderr());
    const warns = m
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .filter((r) => r.level === 'warn')
      .map((r) => r.msg);
    assert.deepEqual(
      warns.map((w) => w.split(': ')[0]!.replace(/ has no effect here$/, '')),
      // `nlb` is a controller of this manager now: enabling it is no longer a warning.
      ['flag --address', 'flag --cloud-provider', 'flag --log-dir'],
    );
    assert.equal(m.stdout(), '', 'nothing listened');
  });

  it('--version prints the version and exits 0', async () => {
    const m = spawnManager(['--version']);
    const { code } = await m.exited;
    assert.equal(code, 0);
    assert.match(m.stdout(), /^alicloud-controller-manager \d+\.\d+\.\d+\n$/);
  });

  it('--help prints second and duration defaults in their units', async () => {
    const m = spawnManager(['--help']);
    assert.equal((await m.exited).code, 0);
    assert.match(m.stdout(), /--node-event-aggregation-wait-seconds <s>.*\(default: 1\)/);
    assert.match(m.stdout(), /--leader-elect-renew-deadline <d>.*\(default: 10s\)/);
  });

  it('an unknown flag is still exit 1 with one line', async () => {
    const { code, stderr } = await runManagerToExit(['--cloud_configs=/x'], ENV);
    assert.equal(code, 1);
    assert.equal(stderr.trim(), 'error: --cloud-configs: unknown flag');
  });
});
