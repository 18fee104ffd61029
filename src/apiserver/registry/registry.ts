/** @module One ResourceStorage per served resource type, made on first use over the shared store. */
import type { ResourceType } from '../../api/scheme.js';
import type { Store } from '../../storage/store.js';
import { ResourceStorage, type Admission, type WriteHooks } from './resource-storage.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { priorityAdmission } from './priority-admission.js';

export class StorageRegistry {
  private storages = new Map<ResourceType, ResourceStorage>();
  private readonly requireNamespace = namespaceLifecycle((t) => this.storageFor(t));
  private readonly admitPriority = priorityAdmission((t) => this.storageFor(t));
  /** The admission steps that read other objects, run before a create (NamespaceLifecycle, Priority). */
  private readonly beforeCreate = async (t: ResourceType, ns: string, obj: Record<string, any>) => {
    if (t.namespaced) await this.requireNamespace(t, ns);
    if (t.group === '' && t.kind === 'Pod') await this.admitPriority(obj);
  };
  constructor(private store: Store, private admission: Admission) {}

  storageFor(t: ResourceType): ResourceStorage {
    let s = this.storages.get(t);
    if (!s) this.storages.set(t, (s = new ResourceStorage(t, this.store, this.admission, this.beforeCreate)));
    return s;
  }

  /** Installs a type's write hooks (BeginCreate, BeginUpdate, AfterDelete), e.g. service allocation. */
  setWriteHooks(t: ResourceType, hooks: WriteHooks): void {
    this.storageFor(t).hooks = hooks;
  }
}
