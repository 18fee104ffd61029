/**
 * @module API discovery from the scheme: the legacy documents (/api, /apis, per group-version
 * resource lists) and the aggregated apidiscovery.k8s.io/v2 form kubectl 1.32 asks for first.
 */
import { ALL_VERBS, groups, gvString, servedTypes, type ResourceType } from '../api/scheme.js';

interface SubresourceInfo { name: string; kind: string; group?: string; version?: string; verbs: string[] }

const statusVerbs = ['get', 'patch', 'update'];

/** The subresources a type serves, with the kinds and verbs discovery advertises for them. */
export function subresourcesOf(t: ResourceType): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  if (t.status) out.push({ name: 'status', kind: t.kind, verbs: statusVerbs });
  if (t.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: statusVerbs });
  for (const s of t.subresources ?? []) {
    const known: Record<string, SubresourceInfo> = {
      binding: { name: 'binding', kind: 'Binding', verbs: ['create'] },
      eviction: { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      log: { name: 'log', kind: 'Pod', verbs: ['get'] },
      exec: { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      attach: { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      portforward: { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      proxy: { name: 'proxy', kind: t.kind === 'Pod' ? 'PodProxyOptions' : t.kind === 'Node' ? 'NodeProxyOptions' : 'ServiceProxyOptions',
        verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      finalize: { name: 'finalize', kind: t.kind, verbs: ['update'] },
    };
    if (known[s]) out.push(known[s]);
  }
  return out;
}

const typesIn = (group: string, version: string) => servedTypes().filter((t) => t.group === group && t.version === version);

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: gvString(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().filter((g) => g.name !== '').map((g) => apiGroup(g.name, g.versions)) };
}

export function apiGroupDoc(name: string) {
  const g = groups().find((x) => x.name === name && name !== '');
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.name, g.versions) };
}

/** The legacy APIResourceList of one group-version, or undefined if it is not served. */
export function apiResourceList(group: string, version: string) {
  const types = typesIn(group, version);
  if (types.length === 0) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs ?? ALL_VERBS,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}), ...(t.categories ? { categories: t.categories } : {}),
    });
    for (const s of subresourcesOf(t)) {
      resources.push({ name: `${t.resource}/${s.name}`, singularName: '', namespaced: t.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}), kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(group, version), resources };
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (core) or /apis (all other groups). */
export function aggregatedDiscovery(core: boolean, apiVersion = 'apidiscovery.k8s.io/v2') {
  const items = groups().filter((g) => (g.name === '') === core).map((g) => ({
    metadata: { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      freshness: 'Current',
      resources: typesIn(g.name, v).map((t) => ({
        resource: t.resource,
        responseKind: { group: t.group, version: t.version, kind: t.kind },
        scope: t.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: t.singular,
        verbs: t.verbs ?? ALL_VERBS,
        ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        ...(t.categories ? { categories: t.categories } : {}),
        ...(subresourcesOf(t).length ? {
          subresources: subresourcesOf(t).map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: s.kind },
            verbs: s.verbs,
          })),
        } : {}),
      })),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part)) continue;
    if (/v=v2(;|$)/.test(part) || /v=v2\s*$/.test(part)) return 'v2';
    if (/v=v2beta1/.test(part)) return 'v2beta1';
  }
  return undefined;
}
