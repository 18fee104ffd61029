/**
 * @module Parses a request path into the API's coordinates (group, version, namespace, resource,
 * name, subresource) and the verb, as apiserver's RequestInfoFactory does.
 */

export interface RequestInfo {
  /** True for /api and /apis resource paths; false for discovery, health, openapi, version. */
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection (or the HTTP method lower-cased). */
  verb: string;
  apiPrefix: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Segments after the subresource (e.g. pods/proxy paths). */
  rest: string[];
}

const methodVerbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '',
    namespace: '', resource: '', name: '', subresource: '', rest: [],
  };
  let parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 2) return info; // /apis or /apis/<group>: discovery
    info.group = parts[0];
    parts = parts.slice(1);
  }
  if (parts.length < 2) {
    info.version = parts[0] ?? '';
    return info; // /api, /api/v1, /apis/g/v: discovery
  }
  info.version = parts[0];
  parts = parts.slice(1);
  info.isResourceRequest = true;
  let verb = methodVerbs[method] ?? method.toLowerCase();
  // The deprecated /watch/ prefix: GET /api/v1/watch/pods
  if (parts[0] === 'watch') {
    verb = 'watch';
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    // namespaces/<ns>/<resource>/...; namespaces/<ns>/status and /finalize stay on the namespace itself.
    if (parts.length === 3 && (parts[2] === 'status' || parts[2] === 'finalize')) {
      info.resource = 'namespaces';
      info.name = parts[1];
      info.subresource = parts[2];
    } else {
      info.namespace = parts[1];
      parts = parts.slice(2);
    }
  }
  if (!info.resource) {
    info.resource = parts[0] ?? '';
    info.name = parts[1] ?? '';
    info.subresource = parts[2] ?? '';
    info.rest = parts.slice(3);
  }
  if (info.name === '' && verb === 'get') verb = 'list';
  if (info.name === '' && verb === 'delete') verb = 'deletecollection';
  if ((verb === 'list' || verb === 'get') && isTrue(query.get('watch'))) verb = 'watch';
  info.verb = verb;
  return info;
}

const isTrue = (v: string | null) => v === 'true' || v === '1';
