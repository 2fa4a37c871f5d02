// Request audit: one record per API request, in RBAC terms (verb, apiGroup, resource, subresource),
// so tests can check a component's ClusterRole against what it actually did (test/deploy/rbac.test.ts).

export interface AuditRecord {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent: string;
}

/** HTTP method + path shape → the RBAC verb the apiserver's authorizer would check. */
export function rbacVerb(
  method: string,
  hasName: boolean,
  isWatch: boolean,
): AuditRecord['verb'] | undefined {
  switch (method) {
    case 'GET':
      return isWatch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
