import assert from 'node:assert/strict';
import { parseBatchErrors } from '../../src/hostroutes/ip.js';
import { parseRouteJson, RouteParseError } from '../../src/hostroutes/kernel-routes.js';

describe('hostroutes/ip output parsing', () => {
  it('attributes batch errors to their line numbers', () => {
    const stderr =
      'RTNETLINK answers: No such process\nCommand failed -:2\nError: Nexthop has invalid gateway.\nCommand failed -:3\n';
    const r = parseBatchErrors(stderr);
    assert.deepEqual(r.failedLines, [2, 3]);
    assert.equal(r.errors.get(2), 'RTNETLINK answers: No such process');
    assert.equal(r.errors.get(3), 'Error: Nexthop has invalid gateway.');
    assert.deepEqual(parseBatchErrors('').failedLines, []);
  });

  it('parses route listings: /32 without prefix, default, numeric or named protocols, IPv6 ignored', () => {
    const routes = parseRouteJson(
      JSON.stringify([
        { dst: 'default', gateway: '10.0.0.254', dev: 'eth0', protocol: '4', flags: [] },
        { dst: '10.0.0.7', gateway: '10.0.0.254', dev: 'eth0', protocol: 'hostroutes', metric: 3, flags: [] },
        { type: 'blackhole', dst: '10.9.0.0/16', protocol: '4', flags: [] },
        { dst: 'fd00::/64', dev: 'eth0', protocol: '2', flags: [] },
        { dst: '10.8.0.0/24', gateway: '10.0.0.9', dev: 'eth0', flags: [] },
      ]),
    );
    assert.deepEqual(
      routes.map((r) => [r.dst, r.gateway, r.protocol, r.metric, r.type]),
      [
        ['default', '10.0.0.254', '4', 0, 'unicast'],
        ['10.0.0.7/32', '10.0.0.254', 'hostroutes', 3, 'unicast'],
        ['10.9.0.0/16', undefined, '4', 0, 'blackhole'],
        ['10.8.0.0/24', '10.0.0.9', '3', 0, 'unicast'], // iproute2 omits protocol for boot
      ],
    );
    assert.deepEqual(parseRouteJson('  \n'), []);
    assert.throws(() => parseRouteJson('{oops'), RouteParseError);
  });
});
