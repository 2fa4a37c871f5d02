// The agent's two kinds of GET against the apiserver: a whole JSON body (a list page) and a
// stream of newline-separated JSON (a watch). Non-200 answers become KubeGetError with the
// apiserver's Status message, so 410 Gone can be told apart and handled by re-listing.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeEndpoint } from './kube-endpoint.js';
import { redactSecrets } from '../util/secrets.js';

export class KubeGetError extends Error {
  override name = 'KubeGetError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_ERROR_BODY = 64 * 1024;

function open(endpoint: KubeEndpoint, path: string, signal: AbortSignal): Promise<IncomingMessage> {
  return endpoint.forRequest().then(
    (auth) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const url = new URL(endpoint.server + path);
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(
          url,
          {
            method: 'GET',
            agent: auth.agent,
            headers: { ...auth.headers, Accept: 'application/json', 'User-Agent': 'alicloud-hostroutes' },
            signal,
          },
          resolve,
        );
        req.on('error', (err) =>
          reject(new KubeGetError(0, redactSecrets(`GET ${url.pathname}: ${err.message}`))),
        );
        req.end();
      }),
  );
}

async function failure(res: IncomingMessage, path: string): Promise<KubeGetError> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    if (text.length < MAX_ERROR_BODY) text += chunk as string;
  }
  let message = text.slice(0, 200);
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') message = status.message;
  } catch {
    // not a Status object; the raw start of the body says enough
  }
  const code = res.statusCode ?? 0;
  return new KubeGetError(code, redactSecrets(`GET ${path.split('?')[0]}: ${code} ${message}`));
}

/** GET and parse one JSON document. */
export async function getJson(endpoint: KubeEndpoint, path: string, signal: AbortSignal): Promise<unknown> {
  const res = await open(endpoint, path, signal);
  if (res.statusCode !== 200) throw await failure(res, path);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** GET a watch stream; `onLine` sees each JSON line. Resolves when the server ends the stream. */
export async function getLines(
  endpoint: KubeEndpoint,
  path: string,
  signal: AbortSignal,
  onLine: (value: unknown) => void,
): Promise<void> {
  const res = await open(endpoint, path, signal);
  if (res.statusCode !== 200) throw await failure(res, path);
  res.setEncoding('utf8');
  let rest = '';
  for await (const chunk of res) {
    rest += chunk as string;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() !== '') onLine(JSON.parse(line));
    }
  }
}
