// One GET of a Node from the Kubernetes API, for central mode's node name → providerID. Plain
// node:http(s) rather than src/kube: the driver is a short-lived bundle and needs one read. The
// modules are imported on demand so `init` never loads HTTP or TLS code.
import { readFileSync } from 'node:fs';
import { DriverError } from './protocol.js';
import { errorText } from '../util/errors.js';
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
    throw new DriverError(
      `cannot read the Kubernetes API ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/** GET of one API path: status and body, or a DriverError naming `what` that failed. */
async function getJson(
  api: KubeApiConfig,
  path: string,
  what: string,
): Promise<{ status: number; body: string }> {
  let url: URL;
  try {
    url = new URL(`${api.url.replace(/\/$/, '')}${path}`);
  } catch {
    throw new DriverError(`the Kubernetes API URL ${JSON.stringify(api.url.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DriverError(`the Kubernetes API URL must be http(s), not ${url.protocol}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (api.tokenFile) {
    const token = readOrFail(api.tokenFile, 'token file').trim();
    registerSecret(token);
    headers.authorization = `Bearer ${token}`;
  }
  // Without caFile an https server is verified against the system roots, never skipped.
  const ca = api.caFile ? readOrFail(api.caFile, 'CA file') : undefined;
  const get = url.protocol === 'https:' ? (await import('node:https')).get : (await import('node:http')).get;
  const out = await new Promise<{ status: number; body: string }>((resolve, reject) => {
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
    throw new DriverError(`reading ${what} from the Kubernetes API failed: ${errorText(err)}`);
  });
  if (out.status !== 404 && (out.status < 200 || out.status > 299))
    throw new DriverError(`reading ${what} from the Kubernetes API failed: HTTP ${out.status}`);
  return out;
}

function parse<T>(body: string, what: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new DriverError(`reading ${what} from the Kubernetes API failed: the answer is not JSON`);
  }
}

/** The Node's spec.providerID; undefined when the Node does not exist or has none. */
export async function nodeProviderId(api: KubeApiConfig, nodeName: string): Promise<string | undefined> {
  const what = `Node ${nodeName}`;
  const { status, body } = await getJson(api, `/api/v1/nodes/${encodeURIComponent(nodeName)}`, what);
  if (status === 404) return undefined;
  return parse<{ spec?: { providerID?: string } }>(body, what).spec?.providerID || undefined;
}

/**
 * Every Node's spec.providerID, to tell whether an instance is part of this cluster. Pages of
 * 500 (continue tokens), so a large cluster costs a few reads, once, only on the rare path that
 * needs it (a disk held by a stopped instance).
 */
export async function nodeProviderIds(api: KubeApiConfig): Promise<string[]> {
  const out: string[] = [];
  let cont = '';
  for (let page = 0; page < 200; page++) {
    const q = `limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const { status, body } = await getJson(api, `/api/v1/nodes?${q}`, 'the Node list');
    if (status === 404)
      throw new DriverError('reading the Node list from the Kubernetes API failed: HTTP 404');
    const list = parse<{ items?: { spec?: { providerID?: string } }[]; metadata?: { continue?: string } }>(
      body,
      'the Node list',
    );
    for (const n of list.items ?? []) if (n.spec?.providerID) out.push(n.spec.providerID);
    cont = list.metadata?.continue ?? '';
    if (!cont) return out;
  }
  throw new DriverError('reading the Node list from the Kubernetes API failed: too many pages');
}
