/** @module One ResourceStorage per served resource type, made on first use over the shared store. */
import type { ResourceType } from '../../api/scheme.js';
import type { Store } from '../../storage/store.js';
import { ResourceStorage, type Admission } from './resource-storage.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';

export class StorageRegistry {
  private storages = new Map<ResourceType, ResourceStorage>();
  private readonly requireNamespace = namespaceLifecycle((t) => this.storageFor(t));
  constructor(private store: Store, private admission: Admission) {}

  storageFor(t: ResourceType): ResourceStorage {
    let s = this.storages.get(t);
    if (!s) this.storages.set(t, (s = new ResourceStorage(t, this.store, this.admission, this.requireNamespace)));
    return s;
  }
}
