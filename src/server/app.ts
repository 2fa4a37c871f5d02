// The operational HTTP surface: /healthz (the process is alive and its event loop answers),
// /readyz (every readiness check passes) and /metrics (the shared prom-client registry).
// Plain HTTP on a configurable address; port 0 picks a free port for tests.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './health.js';

export interface HttpServerOptions {
  registry: Registry;
  readiness: Readiness;
  host?: string;
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function createApp(opts: Pick<HttpServerOptions, 'registry' | 'readiness'>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
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
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
