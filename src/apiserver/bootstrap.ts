/** @module What the API server makes on start, as kube-apiserver's system namespaces controller does. */
import { lookupResource } from '../api/scheme.js';
import { isAlreadyExists } from '../apimachinery/errors.js';
import type { StorageRegistry } from './registry/registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function ensureSystemNamespaces(registry: StorageRegistry): Promise<void> {
  const namespaces = registry.storageFor(lookupResource('', 'v1', 'namespaces')!);
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
