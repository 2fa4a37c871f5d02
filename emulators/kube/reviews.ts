// TokenReview (authentication.k8s.io/v1) and SubjectAccessReview (authorization.k8s.io/v1), the
// two create-only APIs a component uses to delegate authentication and authorization to the
// apiserver. Tokens are seeded by tests (there is no token issuer here); authorization is real
// RBAC over the Roles, ClusterRoles and bindings stored in the emulator, plus the apiserver's
// built-in superuser group system:masters — so a test grants /metrics exactly as an operator
// would, with a ClusterRole and a ClusterRoleBinding.
import { ApiError } from './errors.js';
import type { Registry } from './registry.js';
import { resolveResource } from './resources.js';
import { isPlainObject, type KubeObject } from './types.js';

export interface EmulatedUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding extends KubeObject {
  roleRef?: { kind?: string; name?: string };
  subjects?: Subject[];
}

interface Role extends KubeObject {
  rules?: PolicyRule[];
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

const invalid = (kind: string, message: string): ApiError =>
  new ApiError(
    422,
    'Invalid',
    `${kind}.${kind === 'TokenReview' ? 'authentication' : 'authorization'}.k8s.io "" is invalid: ${message}`,
    {
      kind,
      group: kind === 'TokenReview' ? 'authentication.k8s.io' : 'authorization.k8s.io',
      causes: [{ reason: 'FieldValueRequired', message }],
    },
  );

const matches = (list: string[] | undefined, v: string): boolean =>
  !!list && (list.includes('*') || list.includes(v));

function urlMatches(list: string[] | undefined, path: string): boolean {
  return (
    !!list &&
    list.some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))))
  );
}

export class ReviewAuthority {
  private readonly tokens = new Map<string, EmulatedUser>();

  constructor(private readonly registry: Registry) {}

  /** A bearer token the emulator will vouch for. */
  addToken(token: string, user: EmulatedUser): void {
    this.tokens.set(token, user);
  }

  /** A ServiceAccount token: the username and groups the apiserver gives such a token. */
  addServiceAccountToken(token: string, namespace: string, name: string): void {
    this.addToken(token, {
      username: `system:serviceaccount:${namespace}:${name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
    });
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  tokenReview(body: unknown): KubeObject {
    if (!isPlainObject(body) || !isPlainObject(body['spec']))
      throw invalid('TokenReview', 'spec: Required value');
    const spec = body['spec'] as { token?: unknown; audiences?: unknown };
    if (typeof spec.token !== 'string' || spec.token === '')
      throw invalid('TokenReview', 'spec.token: Required value');
    const user = this.tokens.get(spec.token);
    const status = user
      ? {
          authenticated: true,
          user: {
            username: user.username,
            ...(user.uid ? { uid: user.uid } : {}),
            // The apiserver adds system:authenticated to every authenticated user.
            groups: [...new Set([...(user.groups ?? []), 'system:authenticated'])],
            ...(user.extra ? { extra: user.extra } : {}),
          },
          audiences:
            Array.isArray(spec.audiences) && spec.audiences.length
              ? spec.audiences
              : ['https://kubernetes.default.svc'],
        }
      : { user: {}, error: '[invalid bearer token, token lookup failed]' };
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null } as never,
      spec: body['spec'],
      status,
    } as unknown as KubeObject;
  }

  subjectAccessReview(body: unknown): KubeObject {
    if (!isPlainObject(body) || !isPlainObject(body['spec']))
      throw invalid('SubjectAccessReview', 'spec: Required value');
    const spec = body['spec'] as {
      user?: string;
      groups?: string[];
      resourceAttributes?: ResourceAttributes;
      nonResourceAttributes?: NonResourceAttributes;
    };
    if (!!spec.resourceAttributes === !!spec.nonResourceAttributes)
      throw invalid(
        'SubjectAccessReview',
        'spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
      );
    if (!spec.user && !spec.groups?.length)
      throw invalid(
        'SubjectAccessReview',
        'spec.user: Invalid value: "": at least one of user or group must be specified',
      );
    const decision = this.decide(
      spec.user ?? '',
      spec.groups ?? [],
      spec.resourceAttributes,
      spec.nonResourceAttributes,
    );
    return {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: { creationTimestamp: null } as never,
      spec: body['spec'],
      status: decision.allowed ? { allowed: true, reason: decision.reason } : { allowed: false },
    } as unknown as KubeObject;
  }

  private decide(
    user: string,
    groups: string[],
    res: ResourceAttributes | undefined,
    nonRes: NonResourceAttributes | undefined,
  ): { allowed: boolean; reason: string } {
    if (groups.includes('system:masters')) return { allowed: true, reason: '' };
    const bound = (b: Binding): boolean =>
      (b.subjects ?? []).some(
        (s) =>
          (s.kind === 'User' && s.name === user) ||
          (s.kind === 'Group' && groups.includes(s.name)) ||
          (s.kind === 'ServiceAccount' &&
            user === `system:serviceaccount:${s.namespace ?? b.metadata.namespace}:${s.name}`),
      );
    const ruleAllows = (r: PolicyRule): boolean => {
      if (nonRes)
        return matches(r.verbs, nonRes.verb ?? '') && urlMatches(r.nonResourceURLs, nonRes.path ?? '');
      const a = res!;
      const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
      if (
        !matches(r.verbs, a.verb ?? '') ||
        !matches(r.apiGroups, a.group ?? '') ||
        !matches(r.resources, resource)
      )
        return false;
      return !r.resourceNames?.length || (!!a.name && r.resourceNames.includes(a.name));
    };
    const roleRules = (
      kind: string | undefined,
      name: string | undefined,
      ns: string | undefined,
    ): PolicyRule[] => {
      if (!name) return [];
      try {
        const def = resolveResource(
          kind === 'Role' ? 'roles.rbac.authorization.k8s.io' : 'clusterroles.rbac.authorization.k8s.io',
        );
        return (this.registry.get(def, kind === 'Role' ? ns : undefined, name) as Role).rules ?? [];
      } catch {
        return [];
      }
    };
    const crbs = this.registry.list(
      resolveResource('clusterrolebindings.rbac.authorization.k8s.io'),
      undefined,
    ).items as Binding[];
    for (const b of crbs) {
      if (!bound(b) || !roleRules('ClusterRole', b.roleRef?.name, undefined).some(ruleAllows)) continue;
      return {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${b.roleRef?.name}" to ${subjectText(b, user, groups)}`,
      };
    }
    // RoleBindings grant only namespaced resource requests, never non-resource URLs.
    if (res?.namespace) {
      const rbs = this.registry.list(resolveResource('rolebindings.rbac.authorization.k8s.io'), res.namespace)
        .items as Binding[];
      for (const b of rbs) {
        if (!bound(b) || !roleRules(b.roleRef?.kind, b.roleRef?.name, res.namespace).some(ruleAllows))
          continue;
        return {
          allowed: true,
          reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${res.namespace}" of ${b.roleRef?.kind} "${b.roleRef?.name}" to ${subjectText(b, user, groups)}`,
        };
      }
    }
    return { allowed: false, reason: '' };
  }
}

function subjectText(b: Binding, user: string, groups: string[]): string {
  const s = (b.subjects ?? []).find((x) => (x.kind === 'Group' ? groups.includes(x.name) : true));
  if (s?.kind === 'Group') return `Group "${s.name}"`;
  if (s?.kind === 'ServiceAccount')
    return `ServiceAccount "${s.name}/${s.namespace ?? b.metadata.namespace}"`;
  return `User "${user}"`;
}

/** Request paths of the two review APIs (POST only, like the apiserver). */
export const REVIEW_PATHS = {
  tokenReview: '/apis/authentication.k8s.io/v1/tokenreviews',
  subjectAccessReview: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
} as const;
