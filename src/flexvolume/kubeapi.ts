// One GET of a Node from the Kubernetes API, for central mode's node name → providerID. Plain
// node:http(s) rather than src/kube: the driver is a short-lived bundle and needs one read. The
// modules are imported on demand so `init` never loads HTTP or TLS code.
import { readFileSync } from 'node:fs';
import { DriverError } from './protocol.js';
import { registerSecret } from '../util/secrets.js';

export interface KubeApiConfig {
  url: string;
  tokenFile?: string;
  caFile?: string;
}

const TIMEOUT_MS = 10_000;
const MAX_BODY = 1 << 20;

function readOrFail(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DriverError(`cannot read the Kubernetes API ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** The Node's spec.providerID; undefined when the Node does not exist or has none. */
export async function nodeProviderId(api: KubeApiConfig, nodeName: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(`${api.url.replace(/\/$/, '')}/api/v1/nodes/${encodeURIComponent(nodeName)}`);
  } catch {
    throw new DriverError(`the Kubernetes API URL ${JSON.stringify(api.url.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DriverError(`the Kubernetes API URL must be http(s), not ${url.protocol}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (api.tokenFile) {
    const token = readOrFail(api.tokenFile, 'token file').trim();
    registerSecret(token);
    headers.authorization = `Bearer ${token}`;
  }
  // Without caFile an https server is verified against the system roots, never skipped.
  const ca = api.caFile ? readOrFail(api.caFile, 'CA file') : undefined;
  const get = url.protocol === 'https:' ? (await import('node:https')).get : (await import('node:http')).get;
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = get(url, { headers, timeout: TIMEOUT_MS, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) req.destroy(new Error('response too large'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  }).catch((err: unknown) => {
    throw new DriverError(`reading Node ${nodeName} from the Kubernetes API failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (status === 404) return undefined;
  if (status < 200 || status > 299) throw new DriverError(`reading Node ${nodeName} from the Kubernetes API failed: HTTP ${status}`);
  try {
    return (JSON.parse(body) as { spec?: { providerID?: string } }).spec?.providerID || undefined;
  } catch {
    throw new DriverError(`reading Node ${nodeName} from the Kubernetes API failed: the answer is not JSON`);
  }
}
