// Delegated authentication and authorization, the way Kubernetes components protect /metrics:
// the caller's bearer token is checked with a TokenReview (authentication.k8s.io/v1), and the
// user it names must be allowed `get` on the non-resource path by a SubjectAccessReview
// (authorization.k8s.io/v1). The apiserver stays the only place that knows tokens and RBAC, so a
// ServiceAccount for Prometheus with `nonResourceURLs: ["/metrics"], verbs: ["get"]` is all an
// operator configures. Answers are cached briefly so a scrape every few seconds costs the
// apiserver at most one review pair per TTL; failed reviews (apiserver unreachable) are not cached.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { KubeClient } from '../kube/rest.js';
import type { Logger } from '../util/log.js';
import { errorText } from '../util/errors.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type Verdict =
  { allowed: true; user: UserInfo } | { allowed: false; status: 401 | 403 | 500; message: string };

/** Decides one request that is not on an always-allowed path. */
export type RequestGuard = (req: IncomingMessage, path: string) => Promise<Verdict>;

export interface DelegatedAuthOptions {
  /** Client for TokenReviews (--authentication-kubeconfig, else the manager's own). */
  authentication: Pick<KubeClient, 'request'>;
  /** Client for SubjectAccessReviews (--authorization-kubeconfig, else the manager's own). */
  authorization: Pick<KubeClient, 'request'>;
  /** How long a review answer is reused. Default 10 s, as the apiserver's webhook caches. */
  cacheTtlMs?: number;
  logger?: Logger;
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function createDelegatedGuard(opts: DelegatedAuthOptions): RequestGuard {
  const ttl = opts.cacheTtlMs ?? 10_000;
  // Keys are digests: the cache never holds a usable credential.
  const tokens = new LRUCache<string, { user?: UserInfo }>({ max: 1000, ttl });
  const decisions = new LRUCache<string, { allowed: boolean; reason: string }>({ max: 1000, ttl });

  const authenticate = async (token: string): Promise<UserInfo | undefined> => {
    const key = createHash('sha256').update(token).digest('hex');
    const hit = tokens.get(key);
    if (hit) return hit.user;
    const review = await opts.authentication.request<{ status?: TokenReviewStatus }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      },
    );
    const s = review.status;
    const user =
      s?.authenticated && s.user?.username
        ? {
            username: s.user.username,
            ...(s.user.uid ? { uid: s.user.uid } : {}),
            groups: s.user.groups ?? [],
            ...(s.user.extra ? { extra: s.user.extra } : {}),
          }
        : undefined;
    tokens.set(key, user ? { user } : {});
    return user;
  };

  const authorize = async (user: UserInfo, path: string, verb: string) => {
    const key = JSON.stringify([user.username, user.uid, [...user.groups].sort(), user.extra, path, verb]);
    const hit = decisions.get(key);
    if (hit) return hit;
    const review = await opts.authorization.request<{ status?: SubjectAccessReviewStatus }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            ...(user.uid ? { uid: user.uid } : {}),
            groups: user.groups,
            ...(user.extra ? { extra: user.extra } : {}),
            nonResourceAttributes: { path, verb },
          },
        },
      },
    );
    const s = review.status;
    const decision = { allowed: s?.allowed === true && s.denied !== true, reason: s?.reason ?? '' };
    decisions.set(key, decision);
    return decision;
  };

  return async (req, path) => {
    const m = BEARER.exec(req.headers.authorization ?? '');
    if (!m) return { allowed: false, status: 401, message: 'Unauthorized: a bearer token is required' };
    let user: UserInfo | undefined;
    try {
      user = await authenticate(m[1]!);
    } catch (err) {
      opts.logger?.warn({ err: errorText(err) }, 'TokenReview failed');
      return { allowed: false, status: 401, message: 'Unauthorized: the token could not be reviewed' };
    }
    if (!user) return { allowed: false, status: 401, message: 'Unauthorized' };
    const verb = httpVerb(req.method);
    try {
      const d = await authorize(user, path, verb);
      if (d.allowed) return { allowed: true, user };
      return {
        allowed: false,
        status: 403,
        message: `Forbidden: user "${user.username}" cannot ${verb} path "${path}"${d.reason ? `: ${d.reason}` : ''}`,
      };
    } catch (err) {
      opts.logger?.warn({ err: errorText(err) }, 'SubjectAccessReview failed');
      return { allowed: false, status: 500, message: 'Internal Server Error: authorization unavailable' };
    }
  };
}

/** The verb a non-resource request is authorised for, as the apiserver names it. */
function httpVerb(method: string | undefined): string {
  switch (method) {
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    case 'HEAD':
      return 'head';
    default:
      return 'get';
  }
}

/** `--authorization-always-allow-paths` matching: exact, or a prefix when the entry ends in `*`. */
export function pathAllowed(allow: readonly string[], path: string): boolean {
  return allow.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}
