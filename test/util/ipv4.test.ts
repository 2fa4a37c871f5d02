import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cidrContains,
  cidrContainsAddress,
  cidrEnd,
  cidrsOverlap,
  formatCidr,
  formatIPv4,
  normalizeCidr,
  parseCidr,
  parseCidrMasked,
  parseIPv4,
} from '../../src/util/ipv4.js';

describe('ipv4 cidr (lenient: the route controller)', () => {
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
    const c = (s: string) => parseCidrMasked(s)!;
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.3.0/24')), true);
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.0.0/16')), true);
    assert.equal(cidrContains(c('10.0.3.0/24'), c('10.0.0.0/16')), false);
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.1.0.0/24')), false);
    assert.equal(cidrContains(c('0.0.0.0/0'), c('192.168.1.0/24')), true);
    assert.equal(cidrsOverlap(c('10.1.0.0/24'), c('10.0.0.0/8')), true);
    assert.equal(cidrsOverlap(c('10.1.0.0/24'), c('10.1.1.0/24')), false);
  });

  it('format(parse(x)) is a fixed point and the network contains every address it was built from', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const parsed = parseCidrMasked(`${ip}/${prefix}`);
        assert.ok(parsed);
        assert.equal(normalizeCidr(formatCidr(parsed)), formatCidr(parsed));
        assert.ok(cidrContains(parsed, parseCidrMasked(`${ip}/32`)!));
        assert.ok(cidrContainsAddress(parsed, parseIPv4(ip)!));
      }),
    );
  });
});

describe('ipv4 cidr (strict: text that reaches ip -batch)', () => {
  const cases: Array<[string, boolean, string | undefined]> = [
    ['10.0.1.0/24', false, '10.0.1.0/24'],
    ['10.0.1.7/24', false, undefined],
    [' 10.0.1.0/24', false, undefined],
    ['10.0.0.0/08', false, undefined],
    ['10.0.0.9', false, undefined],
    ['10.0.0.9', true, '10.0.0.9/32'],
    ['10.0.0.0/32', false, '10.0.0.0/32'],
    ['0.0.0.0/0', false, '0.0.0.0/0'],
    ['1.2.3.4/0', false, undefined],
  ];
  for (const [text, allowHost, want] of cases) {
    it(`parses ${JSON.stringify(text)}${allowHost ? ' (host allowed)' : ''} → ${want ?? 'invalid'}`, () => {
      const parsed = parseCidr(text, allowHost);
      assert.equal(parsed && formatCidr(parsed), want);
    });
  }

  it('end address and address round trip', () => {
    assert.equal(formatIPv4(cidrEnd(parseCidr('10.0.1.0/24')!)), '10.0.1.255');
    assert.equal(formatIPv4(cidrEnd(parseCidr('0.0.0.0/0')!)), '255.255.255.255');
    fc.assert(fc.property(fc.ipV4(), (ip) => assert.equal(formatIPv4(parseIPv4(ip)!), ip)));
  });

  it('overlap is symmetric and agrees with containment', () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.integer({ min: 0, max: 32 }),
        fc.ipV4(),
        fc.integer({ min: 0, max: 32 }),
        (a, p, b, q) => {
          const x = parseCidrMasked(`${a}/${p}`)!;
          const y = parseCidrMasked(`${b}/${q}`)!;
          assert.equal(cidrsOverlap(x, y), cidrsOverlap(y, x));
          assert.equal(cidrsOverlap(x, y), cidrContains(x, y) || cidrContains(y, x));
        },
      ),
    );
  });
});
