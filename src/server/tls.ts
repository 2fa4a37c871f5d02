// Where the secure port's certificate comes from, in the upstream components' order:
// --tls-cert-file/--tls-private-key-file (re-read when the files change, so a renewed
// certificate is served without a restart), else a pair kept in --cert-dir (generated once and
// reused across restarts), else one generated in memory for this process.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { selfSignedCertificate, type CertificatePair } from './selfsigned.js';
import { errorText } from '../util/errors.js';

export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

export interface TlsOptions {
  certFile?: string;
  keyFile?: string;
  certDir?: string;
  /** Names the generated certificate is valid for (besides localhost and loopback). */
  bindAddress?: string;
}

export interface ServingCertificate {
  current(): CertificatePair;
  /** Where it came from, for the startup log. */
  source: 'files' | 'cert-dir' | 'generated';
  /** For files: re-read when changed; returns the new pair or undefined when unchanged. */
  reloadIfChanged(): CertificatePair | undefined;
}

const GENERATED_CERT = 'alicloud-controller-manager.crt';
const GENERATED_KEY = 'alicloud-controller-manager.key';

function checkPair(pair: CertificatePair, where: string): CertificatePair {
  try {
    const x = new X509Certificate(pair.cert);
    if (!x.checkPrivateKey(createPrivateKey(pair.key)))
      throw new Error('the private key does not match the certificate');
  } catch (err) {
    throw new TlsConfigError(`${where}: ${errorText(err)}`);
  }
  return pair;
}

function readPair(certFile: string, keyFile: string, flags: string): CertificatePair {
  let pair: CertificatePair;
  try {
    pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } catch (err) {
    throw new TlsConfigError(`${flags}: ${errorText(err)}`);
  }
  return checkPair(pair, flags);
}

function generate(bindAddress: string | undefined): CertificatePair {
  const host = hostname();
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  if (bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::') names.add(bindAddress);
  return selfSignedCertificate({
    commonName: `${host}@${Math.floor(Date.now() / 1000)}`,
    altNames: [...names],
  });
}

export function servingCertificate(opts: TlsOptions): ServingCertificate {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile)
      throw new TlsConfigError(
        `${opts.certFile ? '--tls-private-key-file' : '--tls-cert-file'}: required when the other is set`,
      );
    const { certFile, keyFile } = opts;
    const flags = '--tls-cert-file/--tls-private-key-file';
    const stamp = () => `${statSync(certFile).mtimeMs}/${statSync(keyFile).mtimeMs}`;
    let pair = readPair(certFile, keyFile, flags);
    let seen = stamp();
    return {
      source: 'files',
      current: () => pair,
      reloadIfChanged: () => {
        let now: string;
        try {
          now = stamp();
        } catch {
          return undefined; // mid-rotation (a Secret's symlink swap): try again next time
        }
        if (now === seen) return undefined;
        try {
          pair = readPair(certFile, keyFile, flags);
        } catch {
          return undefined; // half-written: keep serving the old pair
        }
        seen = now;
        return pair;
      },
    };
  }
  if (opts.certDir) {
    const certFile = join(opts.certDir, GENERATED_CERT);
    const keyFile = join(opts.certDir, GENERATED_KEY);
    let pair: CertificatePair;
    if (existsSync(certFile) && existsSync(keyFile)) {
      pair = readPair(certFile, keyFile, `--cert-dir ${opts.certDir}`);
    } else {
      pair = generate(opts.bindAddress);
      try {
        mkdirSync(opts.certDir, { recursive: true, mode: 0o700 });
        writeFileSync(keyFile, pair.key, { mode: 0o600 });
        writeFileSync(certFile, pair.cert, { mode: 0o644 });
      } catch (err) {
        throw new TlsConfigError(`--cert-dir: ${errorText(err)}`);
      }
    }
    return { source: 'cert-dir', current: () => pair, reloadIfChanged: () => undefined };
  }
  const pair = generate(opts.bindAddress);
  return { source: 'generated', current: () => pair, reloadIfChanged: () => undefined };
}
