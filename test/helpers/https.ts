// One HTTPS GET against a server with a self-signed certificate. Either the certificate is
// pinned (`ca`), so the test also proves the name in the URL is in its subjectAltName, or it is
// fetched from the server first, the way an operator would take it with `openssl s_client`.
import { request } from 'node:https';
import { connect, type PeerCertificate } from 'node:tls';

export interface HttpsResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export function httpsGet(url: string, opts: { ca?: string; token?: string } = {}): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The server's leaf certificate as PEM (trust on first use, for pinning in later requests). */
export function peerCertificatePem(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const cert: PeerCertificate = sock.getPeerCertificate();
      sock.end();
      const b64 = cert.raw
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .trimEnd();
      resolve(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
    });
    sock.on('error', reject);
  });
}
