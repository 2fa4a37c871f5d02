// One loopback HTTP port serving the RPC API (/), instance metadata (/latest/meta-data, and
// per host under /_emulator/hosts/<id>/latest/meta-data) and the admin API (/_emulator/…).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import type { EmulatorCore } from './emulator.js';
import { DEFAULT_HOST, metadataValue } from './metadata.js';

// ECS's metadata token headers (spelled independently of src/cloud so the emulator checks the
// client rather than agreeing with it); Node lower-cases incoming header names.
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const TOKEN_TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
import { handleRpc, sendJson } from './rpc.js';

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** PUT /latest/api/token: a session token for this host (any other method is 405, as on ECS). */
function serveToken(core: EmulatorCore, req: IncomingMessage, res: ServerResponse, hostKey: string): void {
  if (req.method !== 'PUT') {
    res.setHeader('allow', 'PUT');
    return sendText(res, 405, 'Method Not Allowed');
  }
  const ttl = req.headers[TOKEN_TTL_HEADER];
  const out = core.metadataTokens.issue(hostKey, Array.isArray(ttl) ? ttl[0] : ttl);
  if ('error' in out) return sendText(res, 400, out.error);
  sendText(res, 200, out.token);
}

function serveMetadata(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  hostKey: string,
  key: string,
): void {
  const meta = core.hostMetadata(hostKey);
  const header = req.headers[TOKEN_HEADER];
  const token = Array.isArray(header) ? header[0] : header;
  if (token !== undefined) {
    if (!core.metadataTokens.valid(hostKey, token)) return sendText(res, 401, 'Unauthorized');
  } else if (meta.httpTokens === 'required') {
    return sendText(res, 403, 'Forbidden');
  }
  if (key === 'ram/security-credentials/' || key === 'ram/security-credentials') {
    return meta.ramRole ? sendText(res, 200, meta.ramRole) : sendText(res, 404, 'Not Found');
  }
  const role = /^ram\/security-credentials\/(.+)$/.exec(key);
  if (role) {
    if (!meta.ramRole || role[1] !== meta.ramRole) return sendText(res, 404, 'Not Found');
    const c = core.roleCredentials(hostKey, meta.ramRole);
    return sendJson(res, 200, {
      AccessKeyId: c.AccessKeyId,
      AccessKeySecret: c.AccessKeySecret,
      SecurityToken: c.SecurityToken,
      Expiration: c.Expiration,
      LastUpdated: c.LastUpdated,
      Code: c.Code,
    });
  }
  const value = metadataValue(meta, key.replace(/\/$/, ''));
  if (value === undefined) return sendText(res, 404, 'Not Found');
  sendText(res, 200, value);
}

async function route(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname;
  // ACS3 signs the exact body bytes, so they are kept as they arrived.
  const raw = await readBody(req);
  const body = raw.toString('utf8');

  const hostToken = /^\/_emulator\/hosts\/([^/]+)\/latest\/api\/token$/.exec(path);
  if (hostToken) return serveToken(core, req, res, decodeURIComponent(hostToken[1]!));
  if (path === '/latest/api/token') return serveToken(core, req, res, DEFAULT_HOST);
  const hostMeta = /^\/_emulator\/hosts\/([^/]+)\/latest\/meta-data\/?(.*)$/.exec(path);
  if (hostMeta) return serveMetadata(core, req, res, decodeURIComponent(hostMeta[1]!), hostMeta[2]!);
  const meta = /^\/latest\/meta-data\/?(.*)$/.exec(path);
  if (meta) return serveMetadata(core, req, res, DEFAULT_HOST, meta[1]!);
  if (path.startsWith('/_emulator/')) return handleAdmin(core, req, res, path, body);
  if (path !== '/') return sendText(res, 404, 'Not Found');

  // The gateway reads parameters from the query string and the form body alike.
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const ctype = req.headers['content-type'] ?? '';
  if (body && (ctype.includes('application/x-www-form-urlencoded') || ctype === '')) {
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  }
  const out = await handleRpc(core, req.method ?? 'GET', params, req.headers, {
    query: url.searchParams,
    body: raw,
  });
  if (out.drop) {
    req.socket.destroy();
    return;
  }
  sendJson(res, out.status, out.body);
}

export async function listen(core: EmulatorCore, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    route(core, req, res).catch((err: unknown) => {
      core.log.error({ err: String(err) }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { Code: 'InternalError', Message: 'emulator failure' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function serverUrl(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
