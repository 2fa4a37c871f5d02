import assert from 'node:assert/strict';
import { DEFAULT_PROTOCOL, parseDuration, parseOptions as parseWith } from '../../src/hostroutes/options.js';

/** Every case but the cluster-CIDR ones passes a valid --cluster-cidr (it is required). */
const CIDR = ['--cluster-cidr', '10.244.0.0/16'];
const parseOptions = (argv: string[], env?: NodeJS.ProcessEnv) =>
  parseWith(argv.includes('--cluster-cidr') ? argv : [...argv, ...CIDR], env);

describe('hostroutes/options', () => {
  it('takes the node name from NODE_NAME, never the hostname', () => {
    assert.equal(parseOptions([], { NODE_NAME: 'node-a' }).nodeName, 'node-a');
    assert.equal(parseOptions(['--node-name', 'x'], { NODE_NAME: 'node-a' }).nodeName, 'x');
    assert.throws(() => parseOptions([], {}), /NODE_NAME/);
  });

  it('defaults and validation', () => {
    const o = parseOptions([
      '--node-name',
      'a',
      '--port',
      '0',
      '--resync-period',
      '2s',
      '--cluster-cidr',
      '10.244.0.0/16,fd00::/48',
    ]);
    assert.equal(o.protocol, DEFAULT_PROTOCOL);
    assert.equal(o.table, 'main');
    assert.equal(o.port, 0);
    assert.equal(o.resyncMs, 2000);
    assert.equal(o.clusterCIDRs.length, 1);
    assert.throws(() => parseOptions(['--node-name', 'a', '--route-protocol', '2']), /reserved/);
    assert.throws(() => parseOptions(['--node-name', 'a', '--route-protocol', '300']));
    assert.throws(() => parseOptions(['--node-name', 'a', '--table', 'local']), /table/);
    assert.throws(() => parseOptions(['--node-name', 'a', '--table', 'main dev x']), /table/);
    assert.throws(
      () => parseOptions(['--node-name', 'a', '--cluster-cidr', '10.244.0.1/16']),
      /cluster-cidr/,
    );
  });

  it('accepts --master and --server for the apiserver URL', () => {
    assert.equal(
      parseOptions(['--node-name', 'a', '--master', 'http://10.0.0.1:8080']).master,
      'http://10.0.0.1:8080',
    );
    assert.equal(
      parseOptions(['--node-name', 'a', '--server', 'http://10.0.0.2:8080']).master,
      'http://10.0.0.2:8080',
    );
    assert.equal(parseOptions(['--node-name', 'a']).master, undefined);
  });

  it('refuses to start without a usable IPv4 cluster CIDR', () => {
    assert.throws(() => parseWith(['--node-name', 'a']), /--cluster-cidr is required/);
    assert.throws(
      () => parseWith(['--node-name', 'a', '--cluster-cidr', ' , ']),
      /--cluster-cidr is required/,
    );
    assert.throws(() => parseWith(['--node-name', 'a', '--cluster-cidr', 'fd00::/48']), /no IPv4 prefix/);
  });

  it('refuses cluster CIDRs that cover reserved destinations', () => {
    const table: Array<[string, RegExp]> = [
      ['0.0.0.0/0', /0\.0\.0\.0\/8/],
      ['100.64.0.0/10', /100\.100\.0\.0\/16 .*metadata/],
      ['100.100.100.200/32', /metadata/],
      ['127.0.0.0/8', /loopback/],
      ['169.254.0.0/16', /link-local/],
      ['10.244.0.0/16,224.0.0.0/8', /multicast/],
    ];
    for (const [cidr, why] of table)
      assert.throws(() => parseWith(['--node-name', 'a', '--cluster-cidr', cidr]), why, cidr);
  });

  it('binds the status port to loopback unless asked otherwise', () => {
    assert.equal(parseOptions(['--node-name', 'a']).bindAddress, '127.0.0.1');
    assert.equal(parseOptions(['--node-name', 'a', '--bind-address', '0.0.0.0']).bindAddress, '0.0.0.0');
  });

  it('parses durations', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30'), 30_000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.throws(() => parseDuration('soon'));
  });
  it("accepts kubeup's --in-cluster flag and still insists on knowing its own node", () => {
    assert.equal(parseOptions(['--in-cluster'], { NODE_NAME: 'node-a' }).nodeName, 'node-a');
    assert.throws(() => parseOptions(['--in-cluster'], {}), /NODE_NAME is required/);
  });
});
