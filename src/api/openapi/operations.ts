/**
 * @module The REST operations of each group version, described once (paths, verbs, parameters,
 * bodies, GVK) and rendered by v2.ts as Swagger 2.0 and by v3.ts as OpenAPI 3.0, with upstream's names.
 */
import { ALL_VERBS, gvString, type ResourceType } from '../scheme.js';
import { definitionNameOf } from './schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  /** x-kubernetes-action: get, list, post, put, patch, delete, deletecollection, watch, watchlist. */
  action: string;
  gvk?: { group: string; version: string; kind: string };
  /** Names of query parameters (see queryParameters) listed on the operation, as upstream does. */
  query: string[];
  /** Definition name of the request body; patch bodies are 'Patch' in the patch content types. */
  body?: string;
  /** Status code → definition name of the response body (undefined: no body, e.g. 401). */
  responses: Record<string, string | undefined>;
  /** Watch responses stream WatchEvents (application/json;stream=watch). */
  responseKind?: 'watch';
}

export interface PathItem {
  path: string;
  /** Path parameters (plus the `pretty` query parameter upstream puts on every resource path). */
  params: { name?: string; namespace?: boolean; pretty?: boolean };
  operations: Operation[];
}

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const STATUS = `${meta}.Status`;
const PATCH = `${meta}.Patch`;
const DELETE_OPTIONS = `${meta}.DeleteOptions`;
const WATCH_EVENT = `${meta}.WatchEvent`;
const API_RESOURCE_LIST = `${meta}.APIResourceList`;
export const PATCH_CONTENT_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json',
  'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** Query parameters with upstream's descriptions and types. */
export const queryParameters: Record<string, { type: 'string' | 'integer' | 'boolean'; description: string }> = {
  allowWatchBookmarks: { type: 'boolean', description: 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.' },
  continue: { type: 'string', description: 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token.' },
  dryRun: { type: 'string', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed' },
  fieldManager: { type: 'string', description: 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).' },
  fieldSelector: { type: 'string', description: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.' },
  fieldValidation: { type: 'string', description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.' },
  force: { type: 'boolean', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.' },
  gracePeriodSeconds: { type: 'integer', description: 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.' },
  labelSelector: { type: 'string', description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.' },
  limit: { type: 'integer', description: 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.' },
  orphanDependents: { type: 'boolean', description: 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.' },
  propagationPolicy: { type: 'string', description: 'Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: \'Orphan\' - orphan the dependents; \'Background\' - allow the garbage collector to delete the dependents in the background; \'Foreground\' - a cascading policy that deletes all dependents in the foreground.' },
  resourceVersion: { type: 'string', description: 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset' },
  resourceVersionMatch: { type: 'string', description: 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset' },
  sendInitialEvents: { type: 'boolean', description: '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent.' },
  timeoutSeconds: { type: 'integer', description: 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.' },
  watch: { type: 'boolean', description: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.' },
  pretty: { type: 'string', description: 'If \'true\', then the output is pretty printed. Defaults to \'false\' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).' },
};

const LIST = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion',
  'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
const WRITE = ['dryRun', 'fieldManager', 'fieldValidation'];
const PATCH_QUERY = [...WRITE, 'force'];
const DELETE = ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'];
const DELETE_COLLECTION = ['continue', 'dryRun', 'fieldSelector', 'gracePeriodSeconds', 'labelSelector', 'limit',
  'orphanDependents', 'propagationPolicy', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds'];

/** 'rbac.authorization.k8s.io', 'v1' → 'RbacAuthorizationV1' (operation ids) and 'rbacAuthorization_v1' (tags). */
function gvNames(group: string, version: string) {
  const words = (group || 'core').replace(/\.k8s\.io$/, '').split('.');
  const camel = words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join('');
  return { id: camel[0].toUpperCase() + camel.slice(1) + version[0].toUpperCase() + version.slice(1), tag: `${camel}_${version}` };
}

export const gvPathOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
export const tagOf = (group: string, version: string) => gvNames(group, version).tag;

/** The paths of one group version: discovery, then per resource its collection, item and subresource paths. */
export function pathsFor(group: string, version: string, types: readonly ResourceType[]): PathItem[] {
  const { id } = gvNames(group, version);
  const base = `/${gvPathOf(group, version)}`;
  const out: PathItem[] = [{ path: `${base}/`, params: {}, operations: [{ method: 'get', operationId: `get${id}APIResources`,
    description: 'get available resources', action: '', query: [], responses: { 200: API_RESOURCE_LIST, 401: undefined } }] }];
  for (const t of types) {
    const name = definitionNameOf(gvString(t.group, t.version), t.kind);
    if (!name) continue;
    out.push(...resourcePaths(t, id, base, name));
  }
  return out;
}

function resourcePaths(t: ResourceType, id: string, base: string, name: string): PathItem[] {
  const verbs = new Set(t.verbs ?? ALL_VERBS);
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const ns = t.namespaced ? 'Namespaced' : '';
  const collection = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}` : `${base}/${t.resource}`;
  const list = definitionNameOf(gvString(t.group, t.version), `${t.kind}List`) ?? name;
  const op = (method: Method, verb: string, action: string, description: string, o: Partial<Operation> = {}): Operation =>
    ({ method, operationId: `${verb}${id}${ns}${t.kind}`, description, action, gvk, query: [], responses: {}, ...o });
  const ok = (...codes: number[]) => Object.fromEntries([...codes.map((c) => [c, name]), [401, undefined]]);
  const itemParams = { name: t.kind, namespace: t.namespaced, pretty: true };
  const out: PathItem[] = [];

  const coll: Operation[] = [];
  if (verbs.has('list')) coll.push(op('get', 'list', 'list', `list or watch objects of kind ${t.kind}`,
    { query: LIST, responses: { 200: list, 401: undefined } }));
  if (verbs.has('create')) coll.push(op('post', 'create', 'post', `create ${article(t.kind)}`,
    { query: WRITE, body: name, responses: ok(200, 201, 202) }));
  if (verbs.has('deletecollection')) coll.push(op('delete', 'delete', 'deletecollection', `delete collection of ${t.kind}`,
    { operationId: `delete${id}Collection${ns}${t.kind}`, query: DELETE_COLLECTION, body: DELETE_OPTIONS,
      responses: { 200: STATUS, 401: undefined } }));
  if (coll.length) out.push({ path: collection, params: { namespace: t.namespaced, pretty: true }, operations: coll });

  const item: Operation[] = [];
  if (verbs.has('get')) item.push(op('get', 'read', 'get', `read the specified ${t.kind}`, { responses: ok(200) }));
  if (verbs.has('update')) item.push(op('put', 'replace', 'put', `replace the specified ${t.kind}`,
    { query: WRITE, body: name, responses: ok(200, 201) }));
  if (verbs.has('patch')) item.push(op('patch', 'patch', 'patch', `partially update the specified ${t.kind}`,
    { query: PATCH_QUERY, body: PATCH, responses: ok(200, 201) }));
  if (verbs.has('delete')) item.push(op('delete', 'delete', 'delete', `delete ${article(t.kind)}`,
    { query: DELETE, body: DELETE_OPTIONS, responses: ok(200, 202) }));
  if (item.length) out.push({ path: `${collection}/{name}`, params: itemParams, operations: item });

  if (t.status) out.push({ path: `${collection}/{name}/status`, params: itemParams, operations: [
    op('get', 'read', 'get', `read status of the specified ${t.kind}`, { operationId: `read${id}${ns}${t.kind}Status`, responses: ok(200) }),
    op('put', 'replace', 'put', `replace status of the specified ${t.kind}`,
      { operationId: `replace${id}${ns}${t.kind}Status`, query: WRITE, body: name, responses: ok(200, 201) }),
    op('patch', 'patch', 'patch', `partially update status of the specified ${t.kind}`,
      { operationId: `patch${id}${ns}${t.kind}Status`, query: PATCH_QUERY, body: PATCH, responses: ok(200, 201) }),
  ] });

  if (t.scale) {
    const scale = 'io.k8s.api.autoscaling.v1.Scale';
    const sgvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const res = (...codes: number[]) => Object.fromEntries([...codes.map((c) => [c, scale]), [401, undefined]]);
    out.push({ path: `${collection}/{name}/scale`, params: itemParams, operations: [
      op('get', 'read', 'get', `read scale of the specified ${t.kind}`,
        { operationId: `read${id}${ns}${t.kind}Scale`, gvk: sgvk, responses: res(200) }),
      op('put', 'replace', 'put', `replace scale of the specified ${t.kind}`,
        { operationId: `replace${id}${ns}${t.kind}Scale`, gvk: sgvk, query: WRITE, body: scale, responses: res(200, 201) }),
      op('patch', 'patch', 'patch', `partially update scale of the specified ${t.kind}`,
        { operationId: `patch${id}${ns}${t.kind}Scale`, gvk: sgvk, query: PATCH_QUERY, body: PATCH, responses: res(200, 201) }),
    ] });
  }

  const posts: Record<string, { def: string; gvk: Operation['gvk'] }> = {
    binding: { def: 'io.k8s.api.core.v1.Binding', gvk: { group: '', version: 'v1', kind: 'Binding' } },
    eviction: { def: 'io.k8s.api.policy.v1.Eviction', gvk: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  };
  for (const sub of t.subresources ?? []) {
    const p = posts[sub];
    if (!p) continue;
    const Sub = sub[0].toUpperCase() + sub.slice(1);
    out.push({ path: `${collection}/{name}/${sub}`, params: itemParams, operations: [
      op('post', 'create', 'post', `create ${sub} of ${article(t.kind)}`, { operationId: `create${id}${ns}${t.kind}${Sub}`,
        gvk: p.gvk, query: WRITE, body: p.def,
        responses: { 200: p.def, 201: p.def, 202: p.def, 401: undefined } }),
    ] });
  }

  if (verbs.has('watch')) {
    const watch = (o: Partial<Operation>): Operation =>
      op('get', 'watch', 'watch', '', { query: LIST, responses: { 200: WATCH_EVENT, 401: undefined }, responseKind: 'watch', ...o });
    const watchBase = t.namespaced ? `${base}/watch/namespaces/{namespace}/${t.resource}` : `${base}/watch/${t.resource}`;
    out.push({ path: watchBase, params: { namespace: t.namespaced, pretty: true }, operations: [watch({
      operationId: `watch${id}${ns}${t.kind}List`, action: 'watchlist',
      description: `watch individual changes to a list of ${t.kind}. deprecated: use the 'watch' parameter with a list operation instead.` })] });
    out.push({ path: `${watchBase}/{name}`, params: itemParams, operations: [watch({
      description: `watch changes to an object of kind ${t.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.` })] });
    if (t.namespaced) out.push({ path: `${base}/watch/${t.resource}`, params: { pretty: true }, operations: [watch({
      operationId: `watch${id}${t.kind}ListForAllNamespaces`, action: 'watchlist',
      description: `watch individual changes to a list of ${t.kind}. deprecated: use the 'watch' parameter with a list operation instead.` })] });
  }
  if (t.namespaced && verbs.has('list')) out.push({ path: `${base}/${t.resource}`, params: { pretty: true }, operations: [
    op('get', 'list', 'list', `list or watch objects of kind ${t.kind}`,
      { operationId: `list${id}${t.kind}ForAllNamespaces`, query: LIST, responses: { 200: list, 401: undefined } }),
  ] });
  return out;
}

/** "an Ingress", "a Pod", as upstream's operation descriptions read. */
const article = (kind: string) => (/^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`);
