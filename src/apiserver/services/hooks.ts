/**
 * @module The service write hooks: the registry's generic create/update/delete calls these so
 * that every writer (kubectl, in-process components) gets cluster IPs and node ports allocated
 * and released the same way.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { WriteHooks } from '../registry/resource-storage.js';
import type { ServiceAllocator } from './service-alloc.js';
import { dropTypeDependentFields, patchAllocatedValues } from './type-fields.js';

export function serviceWriteHooks(alloc: ServiceAllocator, onError: (err: unknown) => void): WriteHooks {
  return {
    prepareUpdate(next, current) {
      patchAllocatedValues(next as Service, current as Service);
      dropTypeDependentFields(next as Service, current as Service);
    },
    async beginCreate(obj, dryRun) {
      const txn = await alloc.allocateCreate(obj as Service, dryRun);
      return (ok) => txn.finish(ok);
    },
    async beginUpdate(next, current, dryRun) {
      const txn = await alloc.allocateUpdate(next as Service, current as Service, dryRun);
      return (ok) => txn.finish(ok);
    },
    // A release that fails leaves a key the repair loop removes later; the delete itself stands.
    afterDelete: (obj) => alloc.releaseAll(obj as Service).catch(onError),
  };
}
