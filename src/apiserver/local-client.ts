/**
 * @module The in-process Client of `tug server`: components call the registry directly (no HTTP,
 * no serialization), and every write still goes through admission, as over HTTPS.
 */
import { apiVersionOf } from '../api/scheme.js';
import { newBadRequest, newMethodNotSupported } from '../apimachinery/errors.js';
import { toStatus } from './http/respond.js';
import { bindPod } from './registry/pod-binding.js';
import { evictPod } from './registry/pod-eviction.js';
import type { Client, DeleteOptions, ListOptions, Obj, PatchType, ResourceRef, WatchEvent, WatchOptions, WriteOptions } from '../client/client.js';
import { buildFilter } from './registry/filter.js';
import { patchObject } from './registry/patch-object.js';
import type { StorageRegistry } from './registry/registry.js';

export class LocalClient implements Client {
  /** @param fieldManager the manager recorded for writes that name none (e.g. "tug-controller-manager"). */
  constructor(private registry: StorageRegistry, private fieldManager: string) {}

  private storage(ref: ResourceRef) { return this.registry.storageFor(ref.type); }
  private ns(ref: ResourceRef) { return ref.type.namespaced ? (ref.namespace ?? '') : ''; }

  get(ref: ResourceRef, name: string) { return this.storage(ref).get(this.ns(ref), name); }

  async list(ref: ResourceRef, opts: ListOptions = {}) {
    const page = await this.storage(ref).list(this.ns(ref), {
      filter: buildFilter(ref.type, opts.labelSelector ?? '', opts.fieldSelector ?? ''),
      limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion,
    });
    // List items are shared with other readers: callers get their own copies.
    return { items: page.items.map((o) => structuredClone(o)), resourceVersion: page.resourceVersion, continue: page.continue };
  }

  create(ref: ResourceRef, obj: Obj, opts: WriteOptions = {}) {
    const copy = structuredClone(obj);
    copy.apiVersion ??= apiVersionOf(ref.type);
    copy.kind ??= ref.type.kind;
    return this.storage(ref).create(this.ns(ref) || copy.metadata?.namespace || '', copy, this.write(opts));
  }

  update(ref: ResourceRef, obj: Obj, opts: WriteOptions & { subresource?: string } = {}) { return this.replace(ref, obj, opts, opts.subresource ?? ''); }
  updateStatus(ref: ResourceRef, obj: Obj, opts: WriteOptions = {}) { return this.replace(ref, obj, opts, 'status'); }

  private replace(ref: ResourceRef, obj: Obj, opts: WriteOptions, subresource: string) {
    const name = obj.metadata?.name;
    if (!name) throw newBadRequest('name is required');
    const desired = structuredClone(obj);
    return this.storage(ref).update(this.ns(ref) || obj.metadata?.namespace || '', name, () => desired,
      { ...this.write(opts), subresource });
  }

  async patch(ref: ResourceRef, name: string, type: PatchType, patch: unknown,
    opts: WriteOptions & { subresource?: string; force?: boolean } = {}) {
    const storage = this.storage(ref);
    if (opts.subresource === 'scale') throw newMethodNotSupported(storage.gr, 'in-process scale patch');
    const ns = this.ns(ref);
    const c = { apiVersion: apiVersionOf(ref.type), kind: ref.type.kind, name, manager: opts.fieldManager ?? this.fieldManager,
      force: opts.force, subresource: opts.subresource };
    const w = { ...this.write(opts), subresource: opts.subresource ?? '', apply: type === 'apply' };
    const body = structuredClone(patch);
    return storage.update(ns, name, (cur) => patchObject(type, cur, body, c), w,
      type === 'apply' ? () => storage.create(ns, patchObject(type, undefined, body, c), w) : undefined);
  }

  async delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}) {
    return (await this.storage(ref).delete(this.ns(ref), name, opts)).object;
  }

  async *watch(ref: ResourceRef, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const storage = this.storage(ref);
    const ns = this.ns(ref);
    const filter = buildFilter(ref.type, opts.labelSelector ?? '', opts.fieldSelector ?? '');
    let rv = opts.resourceVersion ?? '';
    const timer = opts.timeoutSeconds ? setTimeout(() => ctl.abort(), opts.timeoutSeconds * 1000) : undefined;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort);
    try {
      if (rv === '' || rv === '0') {
        const page = await storage.list(ns, { filter });
        for (const object of page.items) yield { type: 'ADDED', object };
        rv = page.resourceVersion;
      }
      for await (const batch of storage.watch(ns, { filter, resourceVersion: rv, signal: ctl.signal })) {
        // Watch events are shared with every other watcher: hand out copies.
        for (const e of batch) yield { type: e.type, object: structuredClone(e.object) };
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
      yield { type: 'ERROR', object: toStatus(e) };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async createSubresource(ref: ResourceRef, name: string, subresource: string, body: Obj): Promise<Obj> {
    const storage = this.storage(ref);
    const ns = this.ns(ref);
    if (ref.type.kind === 'Pod' && subresource === 'binding') return bindPod(storage, ns, name, body, false);
    if (ref.type.kind === 'Pod' && subresource === 'eviction') return evictPod(this.registry, storage, ns, name, body, false);
    throw newMethodNotSupported({ ...storage.gr, resource: `${storage.gr.resource}/${subresource}` }, 'create');
  }

  private write(opts: WriteOptions) {
    return { dryRun: opts.dryRun, fieldManager: opts.fieldManager ?? this.fieldManager };
  }
}
