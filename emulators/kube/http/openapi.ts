// OpenAPI documents. kubectl only needs them to exist and to parse: schema-driven behaviour
// (strategic-merge keys, validation) falls back to its compiled-in types for built-in kinds.
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES, type ResourceDef } from '../resources.js';
import { VERSION_INFO } from './discovery.js';

const INFO = { title: 'Kubernetes', version: VERSION_INFO.gitVersion };

export function openApiV2(): Record<string, unknown> {
  return { swagger: '2.0', info: INFO, paths: {}, definitions: {} };
}

function gvPaths(): string[] {
  return groupVersions().flatMap((g) =>
    g.versions.map((v) => (g.group ? `apis/${g.group}/${v}` : `api/${v}`)),
  );
}

const hash = (s: string): string => createHash('sha512').update(s).digest('hex').slice(0, 32).toUpperCase();

export function openApiV3Index(): Record<string, unknown> {
  return {
    paths: Object.fromEntries(
      gvPaths().map((p) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(p)}` }]),
    ),
  };
}

const QUERY_PARAMS = ['fieldValidation', 'fieldManager', 'dryRun', 'force'];

/**
 * kubectl decides whether the server validates fields itself by finding, in the group-version
 * document, a PATCH operation tagged with the kind that declares `fieldValidation`. Without it,
 * kubectl falls back to downloading the protobuf v2 document for client-side validation.
 */
function operation(def: ResourceDef, verb: string): Record<string, unknown> {
  return {
    operationId: `${verb}${def.kind}`,
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
    parameters: QUERY_PARAMS.map((name) => ({
      name,
      in: 'query',
      schema: { type: 'string', uniqueItems: true },
    })),
    responses: { '200': { description: 'OK' } },
  };
}

export function openApiV3GroupVersion(path: string): Record<string, unknown> | undefined {
  if (!gvPaths().includes(path)) return undefined;
  const paths: Record<string, unknown> = {};
  for (const def of RESOURCES.filter(
    (d) => (d.group ? `apis/${d.group}/${d.version}` : `api/${d.version}`) === path,
  )) {
    const base = `/${path}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.resource}`;
    paths[base] = { post: operation(def, 'post') };
    paths[`${base}/{name}`] = { put: operation(def, 'put'), patch: operation(def, 'patch') };
  }
  return { openapi: '3.0.0', info: INFO, paths, components: { schemas: {} } };
}
