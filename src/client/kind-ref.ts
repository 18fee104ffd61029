/**
 * @module ResourceRefs from kind names or objects, through the scheme: `ref('Deployment', 'ns')`,
 * `refForObject(pod)`. Components use these instead of looking ResourceTypes up by hand.
 */
import { allTypes, lookupKind, type ResourceType } from '../api/scheme.js';
import type { Obj, ResourceRef } from './client.js';

/**
 * The ref of a kind by name ('Pod', 'Deployment'), or by `apiVersion` and kind when two groups
 * share the name (core's Event is preferred over events.k8s.io's). Throws an Error for an unknown kind.
 */
export function ref(kind: string, namespace?: string, apiVersion?: string): ResourceRef {
  const type = apiVersion ? lookupKind(apiVersion, kind) : allTypes().find((t) => t.kind === kind);
  if (!type) throw new Error(`no resource of kind "${kind}"${apiVersion ? ` in ${apiVersion}` : ''} is registered`);
  return withNamespace(type, namespace);
}

/** The ref of an object from its apiVersion, kind and metadata.namespace. Throws an Error for an unknown kind. */
export function refForObject(obj: Obj): ResourceRef {
  return ref(obj.kind ?? '', obj.metadata?.namespace, obj.apiVersion ?? '');
}

const withNamespace = (type: ResourceType, namespace?: string): ResourceRef =>
  type.namespaced && namespace ? { type, namespace } : { type };
