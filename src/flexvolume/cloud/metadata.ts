// ECS instance metadata (http://100.100.100.200/latest/meta-data/…): the node's own identity and
// its RAM-role STS credentials, so nodes never hold an AccessKey.
import { DriverError } from '../protocol.js';
import { registerSecret } from '../../util/secrets.js';
import type { RpcCredentials } from './rpc.js';

export class Metadata {
  constructor(
    private readonly base: string,
    private readonly timeoutMs = 3000,
  ) {}

  async get(key: string): Promise<string> {
    const url = `${this.base.replace(/\/$/, '')}/latest/meta-data/${key}`;
    let lastErr = '';
    // Brief retries: the metadata service occasionally drops a connection.
    for (let i = 0; i < 3; i++) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
        const text = await res.text();
        if (res.ok) return text;
        lastErr = `HTTP ${res.status}`;
        if (res.status === 404) break;
      } catch (err) {
        lastErr = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new DriverError(`instance metadata ${key} unavailable: ${lastErr}`);
  }

  async first(key: string): Promise<string> {
    return (await this.get(key)).split('\n')[0]!.trim();
  }

  async roleCredentials(): Promise<RpcCredentials> {
    const role = await this.first('ram/security-credentials/');
    if (!role) throw new DriverError('no RAM role attached to this instance');
    const text = await this.get(`ram/security-credentials/${role}`);
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new DriverError('RAM role credentials from metadata are not JSON');
    }
    const id = v.AccessKeyId;
    const secret = v.AccessKeySecret;
    const token = v.SecurityToken;
    if (typeof id !== 'string' || typeof secret !== 'string' || typeof token !== 'string') throw new DriverError('RAM role credentials from metadata are incomplete');
    registerSecret(id);
    registerSecret(secret);
    registerSecret(token);
    return { accessKeyId: id, accessKeySecret: secret, securityToken: token };
  }
}
