import assert from 'node:assert/strict';
import { cidrsOverlap, formatCidr, parseCidr, parseIPv4 } from '../../src/util/ipv4.js';

describe('hostroutes/ipv4', () => {
  const addrs: [string, number | undefined][] = [
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['198.18.0.1', 0xc6120001],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['1.2.3.256', undefined],
    ['fd00::1', undefined],
    ['1.2.3.4 via', undefined],
  ];
  for (const [text, want] of addrs)
    it(`parseIPv4(${JSON.stringify(text)})`, () => assert.equal(parseIPv4(text), want));

  const cidrs: [string, string | undefined][] = [
    ['10.244.1.0/24', '10.244.1.0/24'],
    ['10.244.1.5/24', undefined], // host bits set
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/', undefined],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.1.2.3', undefined],
    ['10.1.2.0/24;reboot', undefined],
  ];
  for (const [text, want] of cidrs) {
    it(`parseCidr(${JSON.stringify(text)})`, () => {
      const c = parseCidr(text);
      assert.equal(c ? formatCidr(c) : undefined, want);
    });
  }

  it('accepts bare addresses as /32 only when asked', () => {
    assert.equal(formatCidr(parseCidr('10.1.2.3', true)!), '10.1.2.3/32');
  });

  it('detects nesting both ways and disjointness', () => {
    const a = parseCidr('10.0.0.0/16')!;
    const b = parseCidr('10.0.5.0/24')!;
    const c = parseCidr('10.1.0.0/24')!;
    assert.equal(cidrsOverlap(a, b), true);
    assert.equal(cidrsOverlap(b, a), true);
    assert.equal(cidrsOverlap(a, c), false);
  });
});
