/**
 * @module The generic REST storage of one resource type, as apiserver's registry/generic Store:
 * object metadata rules, optimistic concurrency, status/spec split, finalizers and graceful
 * deletion, selectors, and watch — on top of any Store backend.
 */
import { apiVersionOf, storageKey, type ResourceType } from '../../api/scheme.js';
import {
  StatusError, newAlreadyExists, newBadRequest, newConflict, newInvalid, newNotFound, newOptimisticLockConflict,
  newResourceExpired, newInternalError, type FieldError,
} from '../../apimachinery/errors.js';
import {
  CompactedError, ConflictError, KeyExistsError, NotFoundError, type KeyValue, type ListOptions as StoreListOptions,
  type Store, type WatchEvent,
} from '../../storage/store.js';
import { decodeKV, encodeForStore, generateName, jsonEqual, newUID, nowRFC3339, parseResourceVersion, type Obj } from './object-meta.js';
import { preparePodForCreate } from './pod-strategy.js';

export type ObjectFilter = (obj: Obj) => boolean;

/** Admission as the registry sees it: mutation (defaults) then validation, for every writer. */
export interface Admission {
  mutate(t: ResourceType, obj: Obj, old: Obj | undefined): void;
  validate(t: ResourceType, obj: Obj, old: Obj | undefined, subresource: string): FieldError[];
  /** Bookkeeping of metadata.managedFields for an ordinary (non-apply) write. */
  trackFields?(t: ResourceType, obj: Obj, old: Obj | undefined, w: WriteOptions): void;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: string;
  /** Server-side apply already computed managedFields; ordinary bookkeeping is skipped. */
  apply?: boolean;
}

export interface ListOptions {
  filter?: ObjectFilter;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WatchOptions {
  filter?: ObjectFilter;
  /** Events after this revision (the handler lists first for "" and "0"). */
  resourceVersion: string;
  signal: AbortSignal;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface ObjectEvent { type: EventType; object: Obj; kv?: KeyValue }

/**
 * Per-type steps around writes that need more than the object, as genericregistry.Store's
 * BeginCreate, BeginUpdate and AfterDelete (a service's cluster IP and node ports). They run for
 * the main resource only, never for subresources such as status.
 */
export interface WriteHooks {
  /** On update, before admission: carry over or drop fields of the stored object. */
  prepareUpdate?(next: Obj, current: Obj): void;
  /** After validation, before the write; the returned function learns whether the write succeeded. */
  beginCreate?(obj: Obj, dryRun: boolean): Promise<FinishWrite>;
  beginUpdate?(next: Obj, current: Obj, dryRun: boolean): Promise<FinishWrite>;
  /** Once the object has left the store (never for a dry run, nor while finalizers hold it). */
  afterDelete?(obj: Obj): Promise<void>;
}
export type FinishWrite = (success: boolean) => Promise<void>;

/** Thrown by an update function to leave the stored object as it is (no write). */
export const NO_CHANGE = Symbol('no change');

const tooOld = (rv: number) => newResourceExpired(`too old resource version: ${rv}`);

export class ResourceStorage {
  readonly gr: { group: string; resource: string };
  readonly gk: { group: string; kind: string };
  /** Set by the registry for types that have them. */
  hooks?: WriteHooks;

  /** @param beforeCreate admission that reads other objects (namespace lifecycle, priority); throws to refuse. */
  constructor(readonly t: ResourceType, private store: Store, private admission: Admission,
    private beforeCreate?: (t: ResourceType, ns: string, obj: Obj) => Promise<void>) {
    this.gr = { group: t.group, resource: t.resource };
    this.gk = { group: t.group, kind: t.kind };
  }

  key(namespace: string, name: string) { return storageKey(this.t, namespace, name); }
  prefix(namespace: string) { return storageKey(this.t, namespace || undefined); }

  async get(namespace: string, name: string): Promise<Obj> {
    const { kv } = await this.store.get(this.key(namespace, name));
    if (!kv) throw newNotFound(this.gr, name);
    return decodeKV(kv);
  }

  async list(namespace: string, opts: ListOptions = {}): Promise<{ items: Obj[]; resourceVersion: string; continue?: string; remainingItemCount?: number }> {
    const asked = parseResourceVersion(opts.resourceVersion);
    if (Number.isNaN(asked)) throw newBadRequest(`invalid resource version: ${opts.resourceVersion}`);
    // Exact reads at the asked revision; "" reads the latest (consistent). "0", and N without a
    // limit, may be served from the watch cache at any revision not older than asked, as
    // kube-apiserver does; "0" ignores limit there (one page). With a limit, N reads the latest.
    const revision = opts.resourceVersionMatch === 'Exact' ? asked : undefined;
    const notOlderThan = revision === undefined && !opts.continue && asked !== undefined && (asked === 0 || !opts.limit) ? asked : undefined;
    const limit = opts.limit && opts.limit > 0 && notOlderThan !== 0 ? opts.limit : undefined;
    const items: Obj[] = [];
    let cont = opts.continue;
    let remaining: number | undefined;
    let rv = 0;
    // With a filter, pages from the store can come back short: keep reading until the page is full.
    for (;;) {
      // Ask only for what the page still lacks, so a filtered page never overshoots the limit.
      const page = await this.listStore(namespace, { limit: limit && limit - items.length, continue: cont, revision, notOlderThan });
      rv = page.revision;
      for (const kv of page.items) {
        // Decoded once per stored version and shared: list results are read-only (callers copy).
        const obj = decodeShared(kv);
        if (!opts.filter || opts.filter(obj)) items.push(obj);
      }
      cont = page.continue;
      remaining = page.remainingItemCount;
      if (!limit || !cont || items.length >= limit) break;
    }
    return { items, resourceVersion: String(rv), continue: cont, remainingItemCount: opts.filter ? undefined : remaining };
  }

  private async listStore(namespace: string, o: StoreListOptions) {
    try {
      return await this.store.list(this.prefix(namespace), o);
    } catch (e) {
      if (e instanceof CompactedError) {
        throw o.continue
          ? newResourceExpired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.')
          : tooOld(o.revision ?? 0);
      }
      if (e instanceof Error && /continue/i.test(e.message)) throw newBadRequest(`invalid continue token: ${e.message}`);
      throw e;
    }
  }

  /** Create: server-owned metadata, admission, then a write that fails if the name exists. */
  async create(namespace: string, obj: Obj, w: WriteOptions = {}): Promise<Obj> {
    await this.beforeCreate?.(this.t, namespace, obj);
    const meta = (obj.metadata ??= {});
    if (this.t.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) {
      throw newInvalid(this.gk, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    }
    meta.uid = newUID();
    meta.creationTimestamp = nowRFC3339();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (this.t.generation) meta.generation = 1;
    else delete meta.generation;
    if (this.t.status && obj.status !== undefined && this.t.kind !== 'Pod' && this.t.kind !== 'Node') obj.status = {};
    if (this.t.group === '' && this.t.kind === 'Pod') preparePodForCreate(obj);
    this.admission.mutate(this.t, obj, undefined);
    this.check(obj, undefined, '');
    this.admission.trackFields?.(this.t, obj, undefined, w);
    const finish = await this.hooks?.beginCreate?.(obj, !!w.dryRun);
    let written = false;
    try {
      if (w.dryRun) {
        const { kv } = await this.store.get(this.key(namespace, meta.name));
        if (kv) throw newAlreadyExists(this.gr, meta.name);
        written = true;
        return obj;
      }
      const kv = await this.store.create(this.key(namespace, meta.name), encodeForStore(obj));
      obj.metadata.resourceVersion = String(kv.modRevision);
      written = true;
      return obj;
    } catch (e) {
      if (e instanceof KeyExistsError) throw newAlreadyExists(this.gr, meta.name);
      throw e;
    } finally {
      await finish?.(written);
    }
  }

  private check(obj: Obj, old: Obj | undefined, subresource: string) {
    const errs = this.admission.validate(this.t, obj, old, subresource);
    if (errs.length) throw newInvalid(this.gk, obj.metadata?.name ?? '', errs);
  }

  /**
   * Read-modify-write with compare-and-swap (apiserver's GuaranteedUpdate). `update` gets a copy
   * of the current object and returns the desired one (or throws NO_CHANGE). A resourceVersion in
   * the desired object must be the current one (409 otherwise). After a concurrent write the
   * function runs again on the newer version, so a version merely copied from the one read (a
   * patch, a binding) passes, while one the caller sent (a PUT body) is then stale.
   */
  async update(namespace: string, name: string, update: (current: Obj) => Obj | Promise<Obj>, w: WriteOptions = {},
    createIfMissing?: () => Promise<Obj>): Promise<Obj> {
    const key = this.key(namespace, name);
    // The first attempt starts from the watch cache's copy when there is one (upstream's cached
    // origState): it spares a read of the store per write. Anything but a successful swap on that
    // copy (an error, a no-op, a conflict) is decided again on a fresh read, so a stale copy never answers.
    let tryCache = !w.dryRun;
    for (let attempt = 0; ; attempt++) {
      const cachedKv = tryCache ? this.store.cached?.(key) : undefined;
      tryCache = false;
      const maybeStale = cachedKv !== undefined;
      const kv = cachedKv ?? (await this.store.get(key)).kv;
      if (!kv) {
        if (createIfMissing) return createIfMissing();
        throw newNotFound(this.gr, name);
      }
      const current = decodeKV(kv);
      let desired: Obj;
      try {
        desired = await update(structuredClone(current));
      } catch (e) {
        if (maybeStale) continue;
        if (e === NO_CHANGE) return current;
        throw e;
      }
      const asked = parseResourceVersion(desired.metadata?.resourceVersion);
      if (asked !== undefined && asked !== kv.modRevision) {
        if (maybeStale) continue;
        if (Number.isNaN(asked)) throw newBadRequest(`invalid resourceVersion: ${desired.metadata.resourceVersion}`);
        throw newOptimisticLockConflict(this.gr, name);
      }
      const hooks = w.subresource ? undefined : this.hooks;
      let next: Obj;
      let finish: FinishWrite | undefined;
      try {
        next = this.prepareUpdate(desired, current, w.subresource ?? '');
        hooks?.prepareUpdate?.(next, current);
        this.admission.mutate(this.t, next, current);
        this.check(next, current, w.subresource ?? '');
        this.admission.trackFields?.(this.t, next, current, w);
        finish = await hooks?.beginUpdate?.(next, current, !!w.dryRun);
      } catch (e) {
        if (maybeStale) continue;
        throw e;
      }
      let written = false, removed = false;
      try {
        // A no-op write keeps the resourceVersion, so watchers see nothing and clients can compare.
        if (jsonEqual(next, current)) {
          if (maybeStale) continue;
          written = true;
          return current;
        }
        if (w.dryRun) {
          written = true;
          return next;
        }
        // ShouldDeleteDuringUpdate: no finalizers left, and not within a graceful deletion (a pod's
        // status writes while its node stops it must not remove it).
        if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !namespaceFinalizersPending(this.t, next)
          && !(current.metadata.deletionGracePeriodSeconds > 0)) {
          const gone = await this.store.delete(key, kv.modRevision);
          next.metadata.resourceVersion = String(gone.modRevision);
          written = removed = true;
          return next;
        }
        const stored = await this.store.update(key, encodeForStore(next), kv.modRevision);
        next.metadata.resourceVersion = String(stored.modRevision);
        written = true;
        return next;
      } catch (e) {
        if (e instanceof ConflictError || e instanceof NotFoundError) {
          // Someone wrote in between: run the update again on the new version. A resourceVersion the
          // caller asked for is then stale and fails the check above with 409; one that only came
          // from the version read (a patch, a binding) is simply read afresh.
          if (attempt < 20) continue;
          throw newConflict(this.gr, name, 'too many concurrent writers; try again');
        }
        throw e;
      } finally {
        // Before a retry too: the next attempt allocates afresh from the newer version.
        await finish?.(written);
        if (removed) await this.hooks?.afterDelete?.(next);
      }
    }
  }

  /**
   * A server-made write that changes a few fields the server owns (pods/binding): compare-and-swap
   * retried on a newer version, as the generic store's GuaranteedUpdate that upstream's binding
   * REST calls directly — no admission, validation, managedFields or no-op comparison, because
   * `change` edits only what the caller decided and always changes something. `change` gets a
   * fresh decoded object it may mutate, and throws to refuse.
   */
  async updateDirect(namespace: string, name: string, change: (current: Obj) => void, dryRun = false): Promise<Obj> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { kv } = await this.store.get(key);
      if (!kv) throw newNotFound(this.gr, name);
      const obj = decodeKV(kv);
      change(obj);
      if (dryRun) return obj;
      try {
        const stored = await this.store.update(key, encodeForStore(obj), kv.modRevision);
        obj.metadata.resourceVersion = String(stored.modRevision);
        return obj;
      } catch (e) {
        if ((e instanceof ConflictError || e instanceof NotFoundError) && attempt < 20) continue;
        if (e instanceof ConflictError) throw newConflict(this.gr, name, 'too many concurrent writers; try again');
        throw e;
      }
    }
  }

  /** The rules of which fields a write may change (apiserver's BeforeUpdate and the strategies). */
  private prepareUpdate(desired: Obj, current: Obj, subresource: string): Obj {
    const meta = (desired.metadata ??= {});
    const cur = current.metadata;
    if (meta.name !== undefined && meta.name !== cur.name) {
      throw newBadRequest(`the name of the object (${meta.name}) does not match the name on the URL (${cur.name})`);
    }
    if (this.t.namespaced && meta.namespace !== undefined && meta.namespace !== cur.namespace) {
      throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.name = cur.name;
    if (this.t.namespaced) meta.namespace = cur.namespace;
    meta.uid = cur.uid;
    meta.creationTimestamp = cur.creationTimestamp;
    if (cur.deletionTimestamp) {
      meta.deletionTimestamp = cur.deletionTimestamp;
      meta.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    meta.resourceVersion = cur.resourceVersion;
    delete meta.selfLink;
    desired.apiVersion = current.apiVersion;
    desired.kind = current.kind;
    let next = desired;
    if (subresource === 'status') {
      // Status writes change status only (ResetObjectMetaForStatus keeps metadata as it was).
      next = { ...structuredClone(current), status: desired.status };
    } else if (this.t.status && (subresource === '' || subresource === 'finalize')) {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    // A namespace's spec.finalizers change only through its finalize subresource (upstream's strategy).
    if (isNamespace(this.t) && subresource === '') next.spec = { ...next.spec, finalizers: current.spec?.finalizers };
    if (this.t.generation) {
      next.metadata.generation = cur.generation ?? 1;
      if (subresource !== 'status' && !jsonEqual(specOf(next), specOf(current))) next.metadata.generation += 1;
    } else {
      delete next.metadata.generation;
    }
    return next;
  }

  /**
   * Delete as the registry does: preconditions, then either a graceful/finalizer-held delete
   * (deletionTimestamp set, object stays) or removal from the store. Returns the last object.
   */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<{ object: Obj; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { kv } = await this.store.get(key);
      if (!kv) throw newNotFound(this.gr, name);
      const obj = decodeKV(kv);
      const meta = obj.metadata;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw newConflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw newConflict(this.gr, name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const finalizers = new Set<string>(meta.finalizers ?? []);
      if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
      if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
      const grace = this.gracePeriod(obj, opts);
      if (finalizers.size > 0 || grace > 0 || namespaceFinalizersPending(this.t, obj)) {
        if (meta.deletionTimestamp && jsonEqual([...finalizers], meta.finalizers ?? [])) return { object: obj, deleted: false };
        const next = structuredClone(obj);
        next.metadata.finalizers = [...finalizers];
        next.metadata.deletionTimestamp ??= nowRFC3339(new Date(Date.now() + grace * 1000));
        if (isNamespace(this.t)) next.status = { ...next.status, phase: 'Terminating' };
        else next.metadata.deletionGracePeriodSeconds = Math.min(grace, meta.deletionGracePeriodSeconds ?? grace);
        if (opts.dryRun) return { object: next, deleted: false };
        try {
          const written = await this.store.update(key, encodeForStore(next), kv.modRevision);
          next.metadata.resourceVersion = String(written.modRevision);
          return { object: next, deleted: false };
        } catch (e) {
          if ((e instanceof ConflictError || e instanceof NotFoundError) && attempt < 20) continue;
          throw e;
        }
      }
      if (opts.dryRun) return { object: obj, deleted: true };
      try {
        const gone = await this.store.delete(key, kv.modRevision);
        obj.metadata.resourceVersion = String(gone.modRevision);
        await this.hooks?.afterDelete?.(obj);
        return { object: obj, deleted: true };
      } catch (e) {
        if ((e instanceof ConflictError || e instanceof NotFoundError) && attempt < 20) continue;
        throw e;
      }
    }
  }

  /** Pods on a node wait for the node agent to confirm (grace period); everything else goes now. */
  private gracePeriod(obj: Obj, opts: DeleteOptions): number {
    if (this.t.kind !== 'Pod' || this.t.group !== '') return 0;
    if (!obj.spec?.nodeName) return 0;
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  /** Changes after opts.resourceVersion of objects matching the filter, as Kubernetes watch delivers them. */
  async *watch(namespace: string, opts: WatchOptions): AsyncGenerator<ObjectEvent[]> {
    const from = parseResourceVersion(opts.resourceVersion) ?? 0;
    if (Number.isNaN(from)) throw newBadRequest(`invalid resource version: ${opts.resourceVersion}`);
    let events: AsyncIterable<WatchEvent[]>;
    try {
      events = this.store.watch(this.prefix(namespace), from, opts.signal);
      for await (const batch of events) {
        const out: ObjectEvent[] = [];
        for (const e of batch) {
          const ev = toObjectEvent(e, opts.filter);
          if (ev) out.push(ev);
        }
        if (out.length) yield out;
      }
    } catch (e) {
      if (e instanceof CompactedError) throw tooOld(from);
      if (e instanceof StatusError) throw e;
      if (opts.signal.aborted) return;
      throw newInternalError(e);
    }
  }

  apiVersion() { return apiVersionOf(this.t); }
}

const isNamespace = (t: ResourceType) => t.group === '' && t.kind === 'Namespace';

/**
 * A namespace stays (Terminating) while spec.finalizers lists anything: the namespace controller
 * empties it, then removes "kubernetes" through the finalize subresource (upstream's namespace storage).
 */
const namespaceFinalizersPending = (t: ResourceType, obj: Obj) => isNamespace(t) && (obj.spec?.finalizers?.length ?? 0) > 0;

/** Everything but metadata and status: what bumps metadata.generation. */
function specOf(obj: Obj): Obj {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/**
 * Maps a store event to the watch event a filtered watcher sees: an object that stops matching
 * is DELETED for it, one that starts matching is ADDED (apiserver's cacher does the same).
 */
function toObjectEvent(e: WatchEvent, filter?: ObjectFilter): ObjectEvent | undefined {
  const object = decodeShared(e.kv);
  if (e.type === 'DELETE') {
    return !filter || filter(object) ? { type: 'DELETED', object, kv: e.kv } : undefined;
  }
  const isNew = e.kv.createRevision === e.kv.modRevision || !e.prevKv;
  if (!filter) return { type: isNew ? 'ADDED' : 'MODIFIED', object, kv: e.kv };
  const now = filter(object);
  const before = !isNew && e.prevKv ? filter(decodeShared(e.prevKv)) : false;
  if (now && before) return { type: 'MODIFIED', object, kv: e.kv };
  if (now) return { type: 'ADDED', object, kv: e.kv };
  if (before) return { type: 'DELETED', object, kv: e.kv };
  return undefined;
}

// The watch cache hands the same KeyValue to every list and watcher, so decode each version once.
// Shared objects are read-only: handlers filter and serialize them; in-process clients get copies.
const decoded = new WeakMap<KeyValue, Obj>();
function decodeShared(kv: KeyValue): Obj {
  let obj = decoded.get(kv);
  if (!obj) decoded.set(kv, (obj = decodeKV(kv)));
  return obj;
}

// The JSON of a shared object, serialized once (lists and watches reuse it).
const serialized = new WeakMap<Obj, string>();
export function jsonOf(obj: Obj): string {
  let text = serialized.get(obj);
  if (text === undefined) serialized.set(obj, (text = JSON.stringify(obj)));
  return text;
}
