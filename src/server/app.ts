// The operational HTTP surface: /healthz and /livez (the process is alive and its event loop
// answers), /readyz (every readiness check passes) and /metrics (the shared prom-client registry).
// Every path outside `alwaysAllowPaths` goes through a guard (delegated authentication and
// authorization on the secure port); a server without a guard serves only the always-allowed
// paths, which is what the plain-HTTP port is for. The secure port also answers plain HTTP,
// for the always-allowed paths only, because the official CCM's manifests probe it with
// `scheme: HTTP` (see sniff.ts). Port 0 picks a free port for tests.
import express from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Registry } from 'prom-client';
import { pathAllowed, type RequestGuard } from './delegated.js';
import type { Readiness } from './health.js';
import { createSniffingServer } from './sniff.js';
import type { ServingCertificate } from './tls.js';

export const DEFAULT_ALWAYS_ALLOW_PATHS: readonly string[] = ['/healthz', '/readyz', '/livez'];

export interface HttpServerOptions {
  registry: Registry;
  readiness: Readiness;
  host?: string;
  port?: number;
  /** Serve HTTPS with this certificate; plain HTTP without. */
  tls?: ServingCertificate;
  /** How often a file-based certificate is checked for renewal. Default 60 s. */
  tlsReloadMs?: number;
  /** Paths served to anyone. Default /healthz, /readyz, /livez. */
  alwaysAllowPaths?: readonly string[];
  /** Decides every other path; without one, other paths are refused. */
  guard?: RequestGuard;
  /** With tls: how long a connection may stay silent before its protocol is known. Default 10 s. */
  firstByteTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface AppOptions extends Pick<
  HttpServerOptions,
  'registry' | 'readiness' | 'alwaysAllowPaths' | 'guard'
> {
  /**
   * Plain HTTP that arrived on the secure port: refusals point the caller at HTTPS, and
   * /metrics is never served, not even when an always-allow entry covers it, because a
   * cleartext scrape is readable by anyone on the path.
   */
  plainOnSecurePort?: boolean;
}

/** Express matches routes case-insensitively and ignores one trailing slash; so does this. */
const isMetricsPath = (path: string): boolean => /^\/metrics\/?$/i.test(path);

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const allow = opts.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS;
  const plain = opts.plainOnSecurePort === true;
  app.use((req, res, next) => {
    if (plain && isMetricsPath(req.path)) {
      res
        .status(403)
        .type('text/plain')
        .send(`Forbidden: ${req.path} is served only over HTTPS, to authorised callers\n`);
      return;
    }
    if (pathAllowed(allow, req.path)) return next();
    if (!opts.guard) {
      res
        .status(403)
        .type('text/plain')
        .send(
          plain
            ? `Forbidden: plain HTTP serves only the health probes here; use HTTPS for ${req.path}\n`
            : `Forbidden: ${req.path} is served only on the secure port, to authorised callers\n`,
        );
      return;
    }
    opts.guard(req, req.path).then(
      (v) => {
        if (v.allowed) return next();
        if (v.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="alicloud-controller-manager"');
        res
          .status(v.status)
          .type('text/plain')
          .send(v.message + '\n');
      },
      (err: unknown) => next(err),
    );
  });
  const alive = (_req: express.Request, res: express.Response) => {
    res.type('text/plain').send('ok');
  };
  app.get('/healthz', alive);
  app.get('/livez', alive);
  app.get('/readyz', (req, res) => {
    const { ok, results } = opts.readiness.evaluate();
    res.status(ok ? 200 : 503);
    if (req.query.verbose !== undefined) {
      const lines = Object.entries(results).map(
        ([name, pass]) => `[${pass ? '+' : '-'}]${name} ${pass ? 'ok' : 'failed'}`,
      );
      res.type('text/plain').send(lines.join('\n') + `\nreadyz check ${ok ? 'passed' : 'failed'}\n`);
      return;
    }
    res.type('text/plain').send(
      ok
        ? 'ok'
        : 'not ready: ' +
            Object.keys(results)
              .filter((k) => !results[k])
              .join(','),
    );
  });
  if (plain) return app;
  app.get('/metrics', async (_req, res) => {
    try {
      const body = await opts.registry.metrics();
      res.type(opts.registry.contentType).send(body);
    } catch {
      res.status(500).type('text/plain').send('metrics unavailable');
    }
  });
  return app;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const app = createApp(opts);
  const host = opts.host ?? '127.0.0.1';
  const tls = opts.tls;
  let server: NetServer;
  let https: HttpsServer | undefined;
  let inner: Array<Server | HttpsServer> = [];
  let destroyAll = () => {};
  if (tls) {
    https = createHttpsServer({ ...tls.current(), minVersion: 'TLSv1.2' }, app);
    // No guard: a bearer token sent in cleartext has already leaked, so nothing honours it here.
    const plain = createHttpServer(
      createApp({
        registry: opts.registry,
        readiness: opts.readiness,
        ...(opts.alwaysAllowPaths ? { alwaysAllowPaths: opts.alwaysAllowPaths } : {}),
        plainOnSecurePort: true,
      }),
    );
    inner = [https, plain];
    const sniffing = createSniffingServer({
      tls: https,
      plain,
      ...(opts.firstByteTimeoutMs !== undefined ? { firstByteTimeoutMs: opts.firstByteTimeoutMs } : {}),
    });
    server = sniffing.server;
    destroyAll = sniffing.destroyAll;
  } else {
    server = createHttpServer(app);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The inner servers never listen themselves; 'listening' is what starts their periodic
  // headersTimeout/requestTimeout checks, which cut off clients that trickle a request.
  for (const s of inner) s.emit('listening');
  const reload = https
    ? setInterval(() => {
        const fresh = tls?.reloadIfChanged();
        if (fresh) https.setSecureContext({ ...fresh, minVersion: 'TLSv1.2' });
      }, opts.tlsReloadMs ?? 60_000)
    : undefined;
  reload?.unref();
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (reload) clearInterval(reload);
        server.close(() => resolve());
        // Not listening, so close() only stops their timers (its "not running" error is expected).
        for (const s of inner) {
          s.close(() => undefined);
          s.closeAllConnections();
        }
        if (!tls) (server as Server).closeAllConnections();
        destroyAll();
      }),
  };
}
