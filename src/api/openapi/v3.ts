/**
 * @module The OpenAPI v3 documents kubectl reads (explain, field-validation support, patch metadata):
 * one per group version at /openapi/v3/<api/v1|apis/g/v>, and the index at /openapi/v3 that names them by hash.
 */
import { createHash } from 'node:crypto';
import { allTypes, groups } from '../scheme.js';
import { definitions, refName } from './schema.js';
import type { Schema } from './schema-types.js';
import {
  PATCH_CONTENT_TYPES, gvPathOf, pathsFor, queryParameters, tagOf, type Operation, type PathItem,
} from './operations.js';

export interface OpenAPIDocument {
  /** The serialized document, built once. */
  body: Buffer;
  /** Upper-case hex sha512 of body: the `hash` query parameter of the index's URLs. */
  hash: string;
  /** Quoted hash, for ETag / If-None-Match. */
  etag: string;
}

const CONTENT = ['application/json', 'application/yaml'];
const WATCH_CONTENT = ['application/json', 'application/json;stream=watch'];

/** Every definition name reachable from `roots` through $refs. */
function reachable(roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const visit = (s: Schema | undefined): void => {
    if (!s) return;
    if (s.$ref) add(refName(s.$ref));
    s.allOf?.forEach(visit);
    visit(s.items);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    for (const p of Object.values(s.properties ?? {})) visit(p);
  };
  const add = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    visit(definitions[name]);
  };
  for (const r of roots) add(r);
  return seen;
}

/** A stored (v2-style) schema in v3 form: refs into components, and a $ref with siblings wrapped in allOf. */
function toV3(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.$ref) {
    const ref = `#/components/schemas/${refName(s.$ref)}`;
    delete out.$ref;
    // OpenAPI 3.0 ignores siblings of $ref, so upstream wraps the ref to keep the field's description.
    if (Object.keys(out).length) out.allOf = [{ $ref: ref }];
    else out.$ref = ref;
  }
  if (s.items) out.items = toV3(s.items);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toV3(s.additionalProperties);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV3(v)]));
  return out;
}

/** kube-openapi's OpenAPIV3OneOfTypes: in v3 these are a oneOf, which `kubectl explain` shows by type name. */
const oneOfTypes: Record<string, Schema['type'][]> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': ['integer', 'string'],
  'io.k8s.apimachinery.pkg.api.resource.Quantity': ['string', 'number'],
};

function componentSchema(name: string): Schema {
  const s = toV3(definitions[name]);
  const types = oneOfTypes[name];
  if (!types) return s;
  const { type: _type, ...rest } = s;
  return { ...rest, oneOf: types.map((type) => ({ type })) };
}

const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const paramSchema = (name: string) => ({ type: queryParameters[name].type, uniqueItems: true });

function operation(o: Operation, tag: string): Record<string, unknown> {
  const content = (name: string, types: string[]) => Object.fromEntries(types.map((t) => [t, { schema: schemaRef(name) }]));
  const out: Record<string, unknown> = { tags: [tag], description: o.description, operationId: o.operationId };
  if (o.query.length) {
    out.parameters = o.query.map((name) =>
      ({ name, in: 'query', description: queryParameters[name].description, schema: paramSchema(name) }));
  }
  if (o.body) {
    out.requestBody = { content: content(o.body, o.method === 'patch' ? PATCH_CONTENT_TYPES : ['*/*']), required: true };
  }
  out.responses = Object.fromEntries(Object.entries(o.responses).map(([code, name]) => [code, name
    ? { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK',
      content: content(name, o.responseKind === 'watch' ? WATCH_CONTENT : CONTENT) }
    : { description: 'Unauthorized' }]));
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function pathItem(p: PathItem, tag: string): Record<string, unknown> {
  const params: unknown[] = [];
  if (p.params.name) params.push({ name: 'name', in: 'path', description: `name of the ${p.params.name}`, required: true,
    schema: { type: 'string', uniqueItems: true } });
  if (p.params.namespace) params.push({ name: 'namespace', in: 'path',
    description: 'object name and auth scope, such as for teams and projects', required: true,
    schema: { type: 'string', uniqueItems: true } });
  if (p.params.pretty) params.push({ name: 'pretty', in: 'query', description: queryParameters.pretty.description,
    schema: paramSchema('pretty') });
  const out: Record<string, unknown> = Object.fromEntries(p.operations.map((o) => [o.method, operation(o, tag)]));
  if (params.length) out.parameters = params;
  return out;
}

/** The OpenAPI v3 document of one group version, as a plain object. */
export function buildV3Document(group: string, version: string): Record<string, unknown> {
  const items = pathsFor(group, version, allTypes().filter((t) => t.group === group && t.version === version));
  const tag = tagOf(group, version);
  const roots = new Set<string>();
  for (const p of items) {
    for (const o of p.operations) {
      if (o.body) roots.add(o.body);
      for (const r of Object.values(o.responses)) if (r) roots.add(r);
    }
  }
  const names = [...reachable(roots)].sort();
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: Object.fromEntries(items.map((p) => [p.path, pathItem(p, tag)])),
    components: {
      schemas: Object.fromEntries(names.map((n) => [n, componentSchema(n)])),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

export function serialize(doc: unknown): OpenAPIDocument {
  const body = Buffer.from(JSON.stringify(doc));
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: `"${hash}"` };
}

// Built on first use: every registration in the scheme happens at import time, before any request.
let docs: Map<string, OpenAPIDocument> | undefined;
function all(): Map<string, OpenAPIDocument> {
  docs ??= new Map(groups().flatMap((g) => g.versions.map((v) => [gvPathOf(g.name, v), serialize(buildV3Document(g.name, v))])));
  return docs;
}

/** GET /openapi/v3: `{ paths: { "apis/apps/v1": { serverRelativeURL: "/openapi/v3/apis/apps/v1?hash=…" } } }`. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  return { paths: Object.fromEntries([...all()].map(([path, d]) =>
    [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${d.hash}` }])) };
}

/**
 * GET /openapi/v3/<gvPath> ('api/v1', 'apis/apps/v1'; a leading '/' is ignored): the JSON document, or
 * undefined for an unknown group version (404). Upstream answers a stale `?hash=` with a 301 to the current
 * URL and a matching one with `Cache-Control: public, immutable`.
 */
export function openapiV3Document(gvPath: string): OpenAPIDocument | undefined {
  return all().get(gvPath.replace(/^\/+|\/+$/g, ''));
}
