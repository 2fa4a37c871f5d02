// Throwaway PKI and loopback HTTPS/HTTP "apiservers" that echo what a client presented (bearer
// token, client certificate CN), so tests can see exactly what the transport sent.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function haveOpenssl(): Promise<boolean> {
  try {
    await run('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
}

export interface Pki {
  dir: string;
  /** PEM paths */
  ca: string;
  serverCert: string;
  serverKey: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA and a server certificate for 127.0.0.1, all written under `dir`. */
export async function makePki(dir: string): Promise<Pki> {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    caKey,
    '-out',
    ca,
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  ]);
  const serverCert = join(dir, 'server.pem');
  const serverKey = join(dir, 'server-key.pem');
  await signed(dir, 'server', '127.0.0.1', serverCert, serverKey, 'subjectAltName=IP:127.0.0.1');
  return { dir, ca, serverCert, serverKey };
}

/** A client certificate with the given CN signed by the PKI's CA, written to certPath/keyPath. */
export async function makeClientCert(pki: Pki, cn: string, certPath: string, keyPath: string): Promise<void> {
  await signed(pki.dir, `client-${cn}`, cn, certPath, keyPath, 'extendedKeyUsage=clientAuth');
}

async function signed(
  dir: string,
  tag: string,
  cn: string,
  cert: string,
  key: string,
  ext: string,
): Promise<void> {
  const csr = join(dir, `${tag}.csr`);
  const extFile = join(dir, `${tag}.ext`);
  writeFileSync(extFile, `${ext}\n`);
  await run('openssl', ['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, 'ca.pem'),
    '-CAkey',
    join(dir, 'ca-key.pem'),
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '1',
    '-extfile',
    extFile,
  ]);
}

export interface Seen {
  authorization?: string;
  clientCN?: string;
  path?: string;
}

export interface EchoServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

function echo(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    const entry: Seen = { authorization: req.headers.authorization, path: req.url };
    // Only a certificate the CA vouches for counts as presented.
    if (socket.authorized && peer && typeof peer.subject?.CN === 'string') entry.clientCN = peer.subject.CN;
    seen.push(entry);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'Echo', ...entry }));
  };
}

function listen(server: Server, scheme: string, seen: Seen[]): Promise<EchoServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** HTTPS on loopback; asks for (but does not require) a client certificate from the PKI's CA. */
export function startHttpsEcho(pki: Pki): Promise<EchoServer> {
  const seen: Seen[] = [];
  const server = createHttpsServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: false,
    },
    echo(seen),
  );
  return listen(server, 'https', seen);
}

export function startHttpEcho(): Promise<EchoServer> {
  const seen: Seen[] = [];
  return listen(createHttpServer(echo(seen)), 'http', seen);
}
