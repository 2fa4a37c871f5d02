// ClusterRole/Role rules from deploy/rbac.yaml, and the RBAC decision for one audited request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AuditRecord } from '../../emulators/kube/index.js';

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
export interface RoleDoc {
  kind: 'ClusterRole' | 'Role';
  name: string;
  namespace?: string;
  rules: Rule[];
}

export function readRoles(file = join(process.cwd(), 'deploy/rbac.yaml')): RoleDoc[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[] });
  return docs
    .filter((d) => d && (d.kind === 'ClusterRole' || d.kind === 'Role'))
    .map((d) => ({ kind: d.kind as RoleDoc['kind'], name: d.metadata.name, ...(d.metadata.namespace ? { namespace: d.metadata.namespace } : {}), rules: d.rules ?? [] }));
}

const match = (list: string[], v: string) => list.includes('*') || list.includes(v);

export function ruleAllows(rule: Rule, r: AuditRecord): boolean {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  if (!match(rule.apiGroups, r.group) || !match(rule.resources, resource) || !match(rule.verbs, r.verb)) return false;
  // resourceNames never authorise list/watch/create (no name at authorisation time).
  if (rule.resourceNames?.length) return r.name !== undefined && r.verb !== 'create' && rule.resourceNames.includes(r.name);
  return true;
}

/** Which (role, rule index) grants this request, if any. A Role only covers its own namespace. */
export function grantOf(roles: RoleDoc[], r: AuditRecord): { role: RoleDoc; rule: number } | undefined {
  for (const role of roles) {
    if (role.kind === 'Role' && role.namespace !== r.namespace) continue;
    const i = role.rules.findIndex((rule) => ruleAllows(rule, r));
    if (i >= 0) return { role, rule: i };
  }
  return undefined;
}

/** `verb group/resource[/sub]` — one line per distinct permission used. */
export function permissionKey(r: AuditRecord): string {
  return `${r.verb} ${r.group || 'core'}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}`;
}

/** Every (verb, group, resource) a rule set grants, spelled like permissionKey. */
export function grantedKeys(roles: RoleDoc[]): string[] {
  const out: string[] = [];
  for (const role of roles)
    for (const rule of role.rules)
      for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) out.push(`${v} ${g || 'core'}/${res}`);
  return [...new Set(out)].sort();
}
