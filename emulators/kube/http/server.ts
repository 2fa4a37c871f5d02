// The HTTP front: routing, body decoding, content negotiation (JSON or Table), Status errors,
// fault injection, and the /_emulator admin endpoints.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notFound,
  toApiError,
  unsupportedMediaType,
} from '../errors.js';
import type { FaultControls, FaultState } from '../faults.js';
import { takeForcedFailure, takeGone } from '../faults.js';
import type { Registry } from '../registry.js';
import { apiVersionOf } from '../resources.js';
import type { KubeObject } from '../types.js';
import { isPlainObject } from '../types.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from './discovery.js';
import {
  OPENAPI_V2_PROTOBUF,
  openApiV2,
  openApiV2Protobuf,
  openApiV3Index,
  openApiV3GroupVersion,
} from './openapi.js';
import { parsePath, type ResourcePath } from './paths.js';
import { decodeProtobufObject } from './protobuf.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { serveWatch, type WatchHub, type WatchOptions } from './watch.js';
import { rbacVerb, type AuditRecord } from '../audit.js';
import { REVIEW_PATHS, type ReviewAuthority } from '../reviews.js';

export interface ServerDeps {
  registry: Registry;
  hub: WatchHub;
  faults: FaultState;
  controls: FaultControls;
  watchOptions: WatchOptions;
  /** Called for every resource request (before it is served), in RBAC terms. */
  onRequest?: (record: AuditRecord) => void;
  reviews: ReviewAuthority;
}

const MAX_BODY = 8 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'request entity too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeObject(raw: Buffer, contentType: string | undefined): unknown {
  if (contentType?.includes('protobuf')) return decodeProtobufObject(raw, contentType);
  if (contentType?.includes('cbor')) throw unsupportedMediaType(contentType);
  const text = raw.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return contentType?.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding request body: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = toApiError(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, e.code, e.toStatus());
}

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function serveResource(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  p: ResourcePath,
  q: URLSearchParams,
  raw: Buffer,
): void {
  const { registry: reg } = deps;
  const { def, namespace: ns, name, subresource } = p;
  const method = req.method ?? 'GET';
  const table = wantsTable(req.headers.accept) ? includeObject(q) : undefined;
  const dryRun = q.getAll('dryRun').includes('All');
  if (
    subresource &&
    subresource !== 'status' &&
    !(def.resource === 'namespaces' && subresource === 'finalize')
  ) {
    throw notFound(def.group, `${def.resource}/${subresource}`, name ?? '');
  }
  if (subresource === 'status' && !def.status)
    throw notFound(def.group, `${def.resource}/status`, name ?? '');
  const sub = subresource === 'status' ? 'status' : undefined;
  const isWatch = p.watchPath || truthy(q.get('watch'));

  if (method === 'GET' && isWatch) {
    let fieldSelector = q.get('fieldSelector') ?? undefined;
    if (name) fieldSelector = [`metadata.name=${name}`, fieldSelector].filter(Boolean).join(',');
    const timeout = Number(q.get('timeoutSeconds') ?? '');
    serveWatch(
      reg,
      deps.hub,
      {
        def,
        namespace: ns,
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowBookmarks: truthy(q.get('allowWatchBookmarks')),
        ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutSeconds: timeout } : {}),
        ...(table ? { table } : {}),
        forceGone: takeGone(deps.faults),
      },
      res,
      deps.watchOptions,
    );
    return;
  }
  if (method === 'GET' && name) {
    const o = reg.get(def, ns, name);
    sendJson(res, 200, table ? toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, table) : o);
    return;
  }
  if (method === 'GET') {
    const limit = Number(q.get('limit') ?? '0');
    const r = reg.list(def, ns, {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      ...(limit > 0 ? { limit } : {}),
      ...(q.get('continue') ? { continue: q.get('continue')! } : {}),
    });
    const meta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
    if (r.continue) meta['continue'] = r.continue;
    if (r.remainingItemCount !== undefined) meta['remainingItemCount'] = r.remainingItemCount;
    if (table) sendJson(res, 200, toTable(def, r.items, meta, table));
    else
      sendJson(res, 200, {
        kind: `${def.kind}List`,
        apiVersion: apiVersionOf(def),
        metadata: meta,
        items: r.items,
      });
    return;
  }
  const obj = (): unknown => decodeObject(raw, req.headers['content-type']);
  if (method === 'POST' && !name) {
    sendJson(res, 201, reg.create(def, ns, obj(), dryRun));
    return;
  }
  if (method === 'PUT' && name) {
    sendJson(res, 200, reg.update(def, ns, name, obj(), sub, dryRun));
    return;
  }
  if (method === 'PATCH' && name) {
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const before = safeRv(() => reg.get(def, ns, name));
    const out = reg.patch(def, ns, name, ct, raw.toString('utf8'), sub, dryRun);
    sendJson(res, before === undefined ? 201 : 200, out);
    return;
  }
  if (method === 'DELETE' && name) {
    const opts = obj();
    const pre =
      isPlainObject(opts) && isPlainObject(opts['preconditions'])
        ? (opts['preconditions'] as { uid?: string; resourceVersion?: string })
        : undefined;
    const out = reg.delete(def, ns, name, pre ? { preconditions: pre } : {}, dryRun);
    // 202 while finalizers hold the object, 200 once it is gone — as the apiserver answers.
    const pending =
      !dryRun && !!out.metadata.deletionTimestamp && safeRv(() => reg.get(def, ns, name)) !== undefined;
    sendJson(res, pending ? 202 : 200, out);
    return;
  }
  if (method === 'DELETE') {
    const items = reg.deleteCollection(
      def,
      ns,
      {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
      },
      dryRun,
    );
    sendJson(res, 200, {
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata: { resourceVersion: String(reg.store.resourceVersion) },
      items,
    });
    return;
  }
  throw methodNotAllowed(`the server does not allow this method on the requested resource`);
}

function safeRv(f: () => KubeObject): string | undefined {
  try {
    return f().metadata.resourceVersion;
  } catch {
    return undefined;
  }
}

function serveAdmin(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  body: Buffer,
): void {
  if (pathname === '/_emulator/faults' && req.method === 'POST') {
    const f = decodeObject(body, 'application/json');
    if (!isPlainObject(f)) throw badRequest('expected a JSON object');
    if (f['dropWatches'] === true) deps.controls.dropWatches();
    if (f['forceGone'] === true) deps.controls.forceGoneOnNextWatch();
    if (typeof f['latencyMs'] === 'number') deps.controls.setLatencyMs(f['latencyMs']);
    if (isPlainObject(f['failNext']) && typeof f['failNext']['count'] === 'number') {
      deps.controls.failNextRequests(
        f['failNext']['count'],
        typeof f['failNext']['status'] === 'number' ? f['failNext']['status'] : 500,
      );
    }
    sendJson(res, 200, { ok: true, openWatches: deps.hub.count });
    return;
  }
  if (pathname === '/_emulator/tokens' && req.method === 'POST') {
    // Seeds a bearer token for TokenReview: {token, username, uid?, groups?}.
    const t = decodeObject(body, 'application/json');
    if (!isPlainObject(t) || typeof t['token'] !== 'string' || typeof t['username'] !== 'string')
      throw badRequest('expected {"token": "...", "username": "..."}');
    const groups = Array.isArray(t['groups'])
      ? t['groups'].filter((g): g is string => typeof g === 'string')
      : [];
    deps.reviews.addToken(t['token'], {
      username: t['username'],
      ...(typeof t['uid'] === 'string' ? { uid: t['uid'] } : {}),
      groups,
    });
    sendJson(res, 200, { ok: true });
    return;
  }
  if (pathname === '/_emulator/state' && req.method === 'GET') {
    sendJson(res, 200, { resourceVersion: deps.registry.store.resourceVersion, openWatches: deps.hub.count });
    return;
  }
  throw notFound('', '_emulator', pathname);
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { pathname } = url;
  const body = await readBody(req);
  if (pathname.startsWith('/_emulator/')) return serveAdmin(deps, req, res, pathname, body);
  if (deps.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.faults.latencyMs));
  const forced = takeForcedFailure(deps.faults);
  if (forced !== undefined)
    throw new ApiError(
      forced,
      forced === 429 ? 'TooManyRequests' : 'InternalError',
      `injected failure (status ${forced})`,
    );

  if (pathname === '/version' || pathname === '/version/') return sendJson(res, 200, VERSION_INFO);
  if (['/healthz', '/readyz', '/livez'].includes(pathname)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (pathname === '/api' || pathname === '/api/') return sendJson(res, 200, apiVersions());
  if (pathname === '/apis' || pathname === '/apis/') return sendJson(res, 200, apiGroupList());
  if (pathname === '/openapi/v2') {
    if (!String(req.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF.split('@')[0]!))
      return sendJson(res, 200, openApiV2());
    const doc = openApiV2Protobuf();
    // As kube-openapi does: Go's mime parser rejects the requested type's `@`.
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': doc.length });
    res.end(doc);
    return;
  }
  if (pathname === '/openapi/v3') return sendJson(res, 200, openApiV3Index());
  if (pathname.startsWith('/openapi/v3/')) {
    const doc = openApiV3GroupVersion(pathname.slice('/openapi/v3/'.length));
    if (doc) return sendJson(res, 200, doc);
    throw notFound('', 'openapi', pathname);
  }
  if (pathname === REVIEW_PATHS.tokenReview || pathname === REVIEW_PATHS.subjectAccessReview) {
    const token = pathname === REVIEW_PATHS.tokenReview;
    if (req.method !== 'POST')
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    deps.onRequest?.({
      verb: 'create',
      group: token ? 'authentication.k8s.io' : 'authorization.k8s.io',
      resource: token ? 'tokenreviews' : 'subjectaccessreviews',
      userAgent: req.headers['user-agent'] ?? '',
    });
    const review = decodeObject(body, req.headers['content-type']);
    return sendJson(
      res,
      201,
      token ? deps.reviews.tokenReview(review) : deps.reviews.subjectAccessReview(review),
    );
  }
  const parsed = parsePath(pathname);
  switch (parsed.kind) {
    case 'group': {
      const g = apiGroup(parsed.group);
      if (!g) throw notFound('', 'apigroups', parsed.group);
      return sendJson(res, 200, g);
    }
    case 'groupVersion': {
      const l = apiResourceList(parsed.group, parsed.version);
      if (!l) throw notFound('', 'groupversions', `${parsed.group}/${parsed.version}`);
      return sendJson(res, 200, l);
    }
    case 'resource': {
      const p = parsed.path;
      const verb = rbacVerb(
        req.method ?? 'GET',
        p.name !== undefined,
        p.watchPath || truthy(url.searchParams.get('watch')),
      );
      if (deps.onRequest && verb) {
        deps.onRequest({
          verb,
          group: p.def.group,
          resource: p.def.resource,
          ...(p.subresource ? { subresource: p.subresource } : {}),
          ...(p.namespace ? { namespace: p.namespace } : {}),
          ...(p.name ? { name: p.name } : {}),
          userAgent: req.headers['user-agent'] ?? '',
        });
      }
      return serveResource(deps, req, res, p, url.searchParams, body);
    }
    default:
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
}

export function createKubeServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => sendError(res, err));
  });
}
