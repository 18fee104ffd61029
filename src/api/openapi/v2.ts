/**
 * @module The Swagger 2.0 document at /openapi/v2 (JSON): every path of every group version and all
 * definitions, with `#/definitions/` refs as upstream serves it.
 */
import { allTypes, groups } from '../scheme.js';
import { definitions } from './schema.js';
import { PATCH_CONTENT_TYPES, pathsFor, queryParameters, tagOf, type Operation, type PathItem } from './operations.js';
import { serialize, type OpenAPIDocument } from './v3.js';

const PRODUCES = ['application/json', 'application/yaml'];
const WATCH_PRODUCES = ['application/json', 'application/json;stream=watch'];
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function operation(o: Operation, tag: string): Record<string, unknown> {
  const params: unknown[] = [];
  if (o.body) params.push({ name: 'body', in: 'body', required: true, schema: ref(o.body) });
  for (const name of o.query) {
    params.push({ name, in: 'query', description: queryParameters[name].description, type: queryParameters[name].type,
      uniqueItems: true });
  }
  const out: Record<string, unknown> = {
    consumes: o.method === 'patch' ? PATCH_CONTENT_TYPES : ['*/*'],
    produces: o.responseKind === 'watch' ? WATCH_PRODUCES : PRODUCES,
    schemes: ['https'], tags: [tag], description: o.description, operationId: o.operationId,
  };
  if (params.length) out.parameters = params;
  out.responses = Object.fromEntries(Object.entries(o.responses).map(([code, name]) => [code, name
    ? { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', schema: ref(name) }
    : { description: 'Unauthorized' }]));
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function pathItem(p: PathItem, tag: string): Record<string, unknown> {
  const params: unknown[] = [];
  if (p.params.name) params.push({ name: 'name', in: 'path', description: `name of the ${p.params.name}`, required: true,
    type: 'string', uniqueItems: true });
  if (p.params.namespace) params.push({ name: 'namespace', in: 'path',
    description: 'object name and auth scope, such as for teams and projects', required: true, type: 'string', uniqueItems: true });
  if (p.params.pretty) params.push({ name: 'pretty', in: 'query', description: queryParameters.pretty.description,
    type: 'string', uniqueItems: true });
  const out: Record<string, unknown> = Object.fromEntries(p.operations.map((o) => [o.method, operation(o, tag)]));
  if (params.length) out.parameters = params;
  return out;
}

/** The whole Swagger 2.0 document as a plain object. */
export function buildV2Document(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const g of groups()) {
    for (const v of g.versions) {
      const types = allTypes().filter((t) => t.group === g.name && t.version === v);
      for (const p of pathsFor(g.name, v, types)) paths[p.path] = pathItem(p, tagOf(g.name, v));
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

let doc: OpenAPIDocument | undefined;

/**
 * GET /openapi/v2 with a JSON Accept: the serialized document, built once. kubectl 1.32 asks for
 * protobuf only (v2-protobuf.ts).
 */
export function openapiV2Document(): OpenAPIDocument {
  doc ??= serialize(buildV2Document());
  return doc;
}
