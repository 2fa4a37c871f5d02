// OpenAPI documents. kubectl only needs them to exist and to parse: schema-driven behaviour
// (strategic-merge keys, validation) falls back to its compiled-in types for built-in kinds.
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES, type ResourceDef } from '../resources.js';
import { VERSION_INFO } from './discovery.js';

const INFO = { title: 'Kubernetes', version: VERSION_INFO.gitVersion };

export function openApiV2(): Record<string, unknown> {
  return { swagger: '2.0', info: INFO, paths: {}, definitions: {} };
}

/** The media type client-go asks /openapi/v2 for; it parses nothing else (no JSON fallback). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** One length-delimited protobuf field (wire type 2). */
function lengthDelimited(field: number, value: Buffer): Buffer {
  const header: number[] = [(field << 3) | 2];
  for (let n = value.length; ; n >>>= 7) {
    if (n < 0x80) {
      header.push(n);
      break;
    }
    header.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from(header), value]);
}

/**
 * The same document as openApiV2(), as gnostic's openapi_v2.Document protobuf (swagger = 1,
 * info = 2 with title = 1 and version = 2). kubectl fetches it for client-side validation of what
 * the group-version documents do not cover (a `kind: List`); with no definitions, it validates
 * nothing and lets the server decide, as it does for any kind the schema lacks.
 */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([
    lengthDelimited(1, Buffer.from(INFO.title)),
    lengthDelimited(2, Buffer.from(INFO.version)),
  ]);
  return Buffer.concat([lengthDelimited(1, Buffer.from('2.0')), lengthDelimited(2, info)]);
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
