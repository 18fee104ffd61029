/**
 * @module NamespaceLifecycle admission: a namespaced create needs its namespace to exist and not
 * be terminating. It runs in the registry so that in-process writers are held to it too.
 */
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { StatusError, isNotFound, newForbidden, newNotFound } from '../../apimachinery/errors.js';
import type { ResourceStorage } from './resource-storage.js';

export const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

export function namespaceLifecycle(storageFor: (t: ResourceType) => ResourceStorage) {
  const namespacesType = lookupResource('', 'v1', 'namespaces')!;
  return async (t: ResourceType, ns: string): Promise<void> => {
    let n;
    try {
      n = await storageFor(namespacesType).get('', ns);
    } catch (e) {
      if (isNotFound(e)) throw newNotFound({ group: '', resource: 'namespaces' }, ns);
      throw e;
    }
    if (n.metadata?.deletionTimestamp || n.status?.phase === 'Terminating') {
      const message = `unable to create new content in namespace ${ns} because it is being terminated`;
      const err = newForbidden({ group: t.group, resource: t.resource }, '', message);
      throw new StatusError({ ...err.status, details: { ...err.status.details,
        causes: [{ reason: NAMESPACE_TERMINATING_CAUSE, message, field: 'metadata.namespace' }] } });
    }
  };
}
