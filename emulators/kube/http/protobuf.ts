// kubectl's typed clients (`kubectl create namespace|configmap|secret|serviceaccount`) send
// request bodies as Kubernetes protobuf, with no JSON fallback. This decodes the `k8s\0` envelope
// and the few kinds those commands create into JSON; other kinds answer 415 as before.
import { unsupportedMediaType } from '../errors.js';
import { wireText } from '../../text.js';

type FieldType = 'string' | 'bytes' | 'varint' | 'bool' | 'message' | 'map' | 'mapBytes';

interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  schema?: Schema;
}

type Schema = Record<number, Field>;

const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  7: { name: 'generation', type: 'varint' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

const LOCAL_REF: Schema = { 1: { name: 'name', type: 'string' } };

const KINDS: Record<string, Schema> = {
  Namespace: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: {
      name: 'spec',
      type: 'message',
      schema: { 1: { name: 'finalizers', type: 'string', repeated: true } },
    },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: { name: 'data', type: 'map' },
    3: { name: 'binaryData', type: 'mapBytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: { name: 'data', type: 'mapBytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map' },
    5: { name: 'immutable', type: 'bool' },
  },
  ServiceAccount: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    3: { name: 'imagePullSecrets', type: 'message', repeated: true, schema: LOCAL_REF },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  bytes(): Buffer {
    const len = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    if (out.length !== len) throw new Error('truncated field');
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.varint();
    const field = schema[Math.floor(tag / 8)];
    const wire = tag & 7;
    if (!field) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    switch (field.type) {
      case 'string':
        value = r.bytes().toString('utf8');
        break;
      case 'bytes':
        value = r.bytes().toString('base64');
        break;
      case 'varint':
        value = r.varint();
        break;
      case 'bool':
        value = r.varint() !== 0;
        break;
      case 'message':
        value = decodeMessage(r.bytes(), field.schema ?? {});
        break;
      case 'map':
      case 'mapBytes': {
        const entry = decodeMessage(r.bytes(), {
          1: { name: 'k', type: 'string' },
          2: { name: 'v', type: field.type === 'map' ? 'string' : 'bytes' },
        });
        const m = (out[field.name] ??= {}) as Record<string, unknown>;
        m[wireText(entry['k'] ?? '')] = entry['v'] ?? '';
        continue;
      }
    }
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function decodeProtobufObject(body: Buffer, contentType: string): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw unsupportedMediaType(contentType);
  const envelope = decodeMessage(body.subarray(4), {
    1: {
      name: 'typeMeta',
      type: 'message',
      schema: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } },
    },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (envelope['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const schema = typeMeta.kind ? KINDS[typeMeta.kind] : undefined;
  if (!schema) throw unsupportedMediaType(`${contentType} (kind ${typeMeta.kind ?? 'unknown'})`);
  const obj = decodeMessage(Buffer.from(wireText(envelope['raw'] ?? ''), 'base64'), schema);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...obj };
}
