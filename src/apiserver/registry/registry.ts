/** @module One ResourceStorage per served resource type, made on first use over the shared store. */
import type { ResourceType } from '../../api/scheme.js';
import type { Store } from '../../storage/store.js';
import { ResourceStorage, type Admission } from './resource-storage.js';

export class StorageRegistry {
  private storages = new Map<ResourceType, ResourceStorage>();
  constructor(private store: Store, private admission: Admission) {}

  storageFor(t: ResourceType): ResourceStorage {
    let s = this.storages.get(t);
    if (!s) this.storages.set(t, (s = new ResourceStorage(t, this.store, this.admission)));
    return s;
  }
}
