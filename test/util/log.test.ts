import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/util/log.js';
import { registerSecret, redactSecrets, redactValue, clearSecretsForTest } from '../../src/util/secrets.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { stream, lines };
}

describe('secret redaction', () => {
  afterEach(() => clearSecretsForTest());

  it('replaces a registered secret wherever it appears in text', () => {
    registerSecret('S3cr3tValue');
    assert.equal(redactSecrets('x=S3cr3tValue;y=S3cr3tValue'), 'x=***;y=***');
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('ab');
    assert.equal(redactSecrets('abc'), 'abc');
  });

  it('redacts nested objects without mutating them', () => {
    registerSecret('tok-123456');
    const input = { a: ['tok-123456'], b: { c: 'pre tok-123456' } };
    assert.deepEqual(redactValue(input), { a: ['***'], b: { c: 'pre ***' } });
    assert.equal(input.b.c, 'pre tok-123456');
  });

  it('logger scrubs registered secrets and credential keys from every line', () => {
    registerSecret('VerySecretKey');
    const { stream, lines } = capture();
    const log = createLogger('t', { destination: stream });
    log.info({ accessKeySecret: 'whatever', detail: 'got VerySecretKey back' }, 'msg VerySecretKey');
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes('VerySecretKey'));
    assert.ok(!lines[0]!.includes('whatever'));
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(parsed.level, 'info');
    assert.equal(parsed.msg, 'msg ***');
  });

  it('children add context without repeating a key on the line', () => {
    const { stream, lines } = capture();
    createLogger('prog', { destination: stream })
      .child({ component: 'cloud' })
      .child({ controller: 'service' })
      .warn('x');
    for (const key of ['name', 'component', 'controller', 'level']) {
      assert.equal(lines[0]!.split(`"${key}":`).length - 1, 1, `${key} appears once in ${lines[0]}`);
    }
  });
});
