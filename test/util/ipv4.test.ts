import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrContains, cidrOverlaps, formatCidr, normalizeCidr, parseCidr } from '../../src/util/ipv4.js';

describe('route cidr', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.0.1.0/24', '10.0.1.0/24'],
    ['10.0.1.7/24', '10.0.1.0/24'],
    [' 172.16.0.0/12 ', '172.16.0.0/12'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['10.0.0.0/33', undefined],
    ['10.0.0/24', undefined],
    ['10.0.0.256/24', undefined],
    ['010.0.0.0/8', undefined],
    ['fd00::/64', undefined],
    ['10.0.0.0', undefined],
    ['', undefined],
  ];
  for (const [text, want] of cases) {
    it(`normalizes ${JSON.stringify(text)} → ${want ?? 'invalid'}`, () =>
      assert.equal(normalizeCidr(text), want));
  }

  it('containment follows the prefix, equal counts as inside', () => {
    const c = (s: string) => parseCidr(s)!;
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.3.0/24')), true);
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.0.0/16')), true);
    assert.equal(cidrContains(c('10.0.3.0/24'), c('10.0.0.0/16')), false);
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.1.0.0/24')), false);
    assert.equal(cidrContains(c('0.0.0.0/0'), c('192.168.1.0/24')), true);
    assert.equal(cidrOverlaps(c('10.1.0.0/24'), c('10.0.0.0/8')), true);
    assert.equal(cidrOverlaps(c('10.1.0.0/24'), c('10.1.1.0/24')), false);
  });

  it('format(parse(x)) is a fixed point and the network contains every address it was built from', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const parsed = parseCidr(`${ip}/${prefix}`);
        assert.ok(parsed);
        assert.equal(normalizeCidr(formatCidr(parsed)), formatCidr(parsed));
        assert.ok(cidrContains(parsed, parseCidr(`${ip}/32`)!));
      }),
    );
  });
});
