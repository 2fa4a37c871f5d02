// The operational HTTP surface: /healthz and /livez (the process is alive and its event loop
// answers), /readyz (every readiness check passes) and /metrics (the shared prom-client registry).
// Every path outside `alwaysAllowPaths` goes through a guard (delegated authentication and
// authorization on the secure port); a server without a guard serves only the always-allowed
// paths, which is what the plain-HTTP port is for. Port 0 picks a free port for tests.
import express from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { pathAllowed, type RequestGuard } from './delegated.js';
import type { Readiness } from './health.js';
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
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function createApp(
  opts: Pick<HttpServerOptions, 'registry' | 'readiness' | 'alwaysAllowPaths' | 'guard'>,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const allow = opts.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS;
  app.use((req, res, next) => {
    if (pathAllowed(allow, req.path)) return next();
    if (!opts.guard) {
      res
        .status(403)
        .type('text/plain')
        .send(`Forbidden: ${req.path} is served only on the secure port, to authorised callers\n`);
      return;
    }
    opts.guard(req, req.path).then(
      (v) => {
        if (v.allowed) return next();
        if (v.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="alicloud-controller-manager"');
        res.status(v.status).type('text/plain').send(v.message + '\n');
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
  const server: Server | HttpsServer = tls
    ? createHttpsServer({ ...tls.current(), minVersion: 'TLSv1.2' }, app)
    : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const reload = tls
    ? setInterval(() => {
        const fresh = tls.reloadIfChanged();
        if (fresh) (server as HttpsServer).setSecureContext({ ...fresh, minVersion: 'TLSv1.2' });
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
        server.closeAllConnections();
      }),
  };
}
