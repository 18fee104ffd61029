/**
 * @module Informers, as client-go's reflector + indexer + shared informer: list, then watch from
 * the list's resourceVersion, keep a local cache, call handlers, and relist after a 410 Gone or
 * a broken watch (with backoff). Cached objects are shared and read-only: copy before changing.
 */
import type { ResourceType } from '../api/scheme.js';
import type { StatusError } from '../apimachinery/errors.js';
import type { Client, Obj, ResourceRef } from './client.js';

export interface EventHandler {
  add?(obj: Obj): void;
  update?(oldObj: Obj, newObj: Obj): void;
  /** Called with the last known state (also for objects found gone at a relist). */
  delete?(obj: Obj): void;
}

export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Freeze cached objects so that accidental mutation throws (tests). */
  freeze?: boolean;
  /** Backoff between failed list/watch attempts. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Page size of the initial list. */
  pageSize?: number;
  /**
   * Keep metadata.managedFields in the cache. By default they are dropped, as kube-controller-manager
   * and kube-scheduler trim them (client-go's TransformStripManagedFields): no controller reads them,
   * an update that omits them keeps the stored ones, and they are a good part of every cached object.
   */
  keepManagedFields?: boolean;
}

export type IndexFunc = (obj: Obj) => string[];

/** "namespace/name" or "name": the key of an object in caches and work queues. */
export const keyOf = (obj: Obj): string =>
  obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata?.name;

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

const NAMESPACE_INDEX = 'namespace';

export class Informer {
  private items = new Map<string, Obj>();
  private indexers = new Map<string, IndexFunc>();
  private indices = new Map<string, Map<string, Set<string>>>();
  private handlers: EventHandler[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private resourceVersion = '';
  /** client-go's isLastSyncResourceVersionUnavailable: a list at resourceVersion said 410 Gone. */
  private lastSyncUnavailable = false;
  private readonly freeze: boolean;

  constructor(private client: Client, readonly ref: ResourceRef, private opts: InformerOptions = {}) {
    this.freeze = opts.freeze ?? process.env.TUG_FREEZE_INFORMERS === '1';
    this.addIndex(NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']);
  }

  get type(): ResourceType { return this.ref.type; }

  /** Adds a handler; it first receives `add` for every object already cached. */
  addHandler(h: EventHandler): void {
    this.handlers.push(h);
    for (const obj of this.items.values()) h.add?.(obj);
  }

  /** Adds a named index (e.g. pods by spec.nodeName); call before run(). */
  addIndex(name: string, fn: IndexFunc): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
  }

  get(key: string): Obj | undefined { return this.items.get(key); }
  getByName(namespace: string, name: string): Obj | undefined { return this.items.get(namespace ? `${namespace}/${name}` : name); }

  /** All cached objects, or those of one namespace. */
  list(namespace?: string): Obj[] {
    if (namespace === undefined || !this.type.namespaced) return [...this.items.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byIndex(name: string, value: string): Obj[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    const out: Obj[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  hasSynced(): boolean { return this.synced; }
  lastSyncResourceVersion(): string { return this.resourceVersion; }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Lists and watches until signal aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = this.opts.minBackoffMs ?? 200;
    const maxBackoff = this.opts.maxBackoffMs ?? 30_000;
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
        backoff = this.opts.minBackoffMs ?? 200;
      } catch (e) {
        if (signal.aborted) return;
        process.emitWarning(`informer ${this.type.resource}: ${(e as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, signal);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  /**
   * client-go's relistResourceVersion: the first list asks for "0" (any revision: the server's watch
   * cache answers from memory); a relist asks for the last revision seen (not older than that, also
   * from the cache); only after the server said that revision is gone (410) a consistent list ("").
   */
  private relistResourceVersion(): string {
    if (this.lastSyncUnavailable) return '';
    return this.resourceVersion || '0';
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    let listed: { items: Obj[]; resourceVersion: string };
    try {
      listed = await this.listAll(this.relistResourceVersion());
    } catch (e) {
      if ((e as StatusError).code !== 410 || this.lastSyncUnavailable) throw e;
      // As client-go: retry at once with a consistent list.
      this.lastSyncUnavailable = true;
      listed = await this.listAll('');
    }
    this.lastSyncUnavailable = false;
    this.replace(listed.items, listed.resourceVersion);
    // Watch from the last seen revision; a watch that simply ends is resumed, a 410 relists.
    while (!signal.aborted) {
      const events = this.client.watch(this.ref, {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
        resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      }, signal);
      for await (const ev of events) {
        if (ev.type === 'ERROR') {
          if (ev.object?.code === 410) {
            process.emitWarning(`informer ${this.type.resource}: watch from resourceVersion ${this.resourceVersion} expired (410); relisting`);
            return;
          }
          throw new Error(`watch error: ${ev.object?.message ?? JSON.stringify(ev.object)}`);
        }
        const rvOf = ev.object?.metadata?.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          if (rvOf) this.resourceVersion = rvOf;
          continue;
        }
        if (ev.type === 'DELETED') this.remove(ev.object);
        else this.upsert(ev.object);
        if (rvOf) this.resourceVersion = rvOf;
      }
    }
  }

  /**
   * Every page of a list. Pages after the first carry only the continue token, as client-go's pager.
   * A list at "0" is one page (the server ignores limit there); at a revision it asks for no limit,
   * so the watch cache can answer it (client-go turns paging off for it, as kube-apiserver would
   * read a limited list at a revision from etcd).
   */
  private async listAll(resourceVersion: string): Promise<{ items: Obj[]; resourceVersion: string }> {
    const items: Obj[] = [];
    const pageSize = this.opts.pageSize ?? 500;
    let page = await this.client.list(this.ref, {
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, resourceVersion: resourceVersion || undefined,
      limit: resourceVersion === '' || resourceVersion === '0' ? pageSize : undefined,
    });
    items.push(...page.items);
    while (page.continue) {
      page = await this.client.list(this.ref, {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: pageSize, continue: page.continue,
      });
      items.push(...page.items);
    }
    return { items, resourceVersion: page.resourceVersion };
  }

  /** Replaces the cache with a fresh list, telling handlers what changed meanwhile. */
  private replace(objs: Obj[], rv: string): void {
    const seen = new Set<string>();
    for (const obj of objs) {
      seen.add(keyOf(obj));
      this.upsert(obj);
    }
    for (const [key, obj] of [...this.items]) if (!seen.has(key)) this.remove(obj);
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private upsert(incoming: Obj): void {
    const trimmed = this.opts.keepManagedFields ? incoming : withoutManagedFields(incoming);
    const obj = this.freeze ? deepFreeze(trimmed) : trimmed;
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    for (const h of this.handlers) {
      try {
        if (old) h.update?.(old, obj); else h.add?.(obj);
      } catch (e) {
        process.emitWarning(`informer ${this.type.resource} handler: ${(e as Error).stack}`);
      }
    }
  }

  private remove(obj: Obj): void {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
    for (const h of this.handlers) {
      try {
        h.delete?.(old);
      } catch (e) {
        process.emitWarning(`informer ${this.type.resource} handler: ${(e as Error).stack}`);
      }
    }
  }

  private index(key: string, obj: Obj): void {
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indices.get(name)!, v, key);
  }

  private unindex(key: string, obj: Obj): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }
}

/** One informer per resource type (and selector), shared by every controller in the process. */
export class InformerFactory {
  private informers = new Map<string, Informer>();
  private started = new Set<Informer>();
  private signal?: AbortSignal;

  constructor(private client: Client, private defaults: InformerOptions = {}) {}

  informer(type: ResourceType, opts: InformerOptions & { namespace?: string } = {}): Informer {
    const key = `${type.group}/${type.resource}|${opts.namespace ?? ''}|${opts.labelSelector ?? ''}|${opts.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, { type, namespace: opts.namespace }, { ...this.defaults, ...opts });
      this.informers.set(key, inf);
      if (this.signal) this.startOne(inf, this.signal);
    }
    return inf;
  }

  /** Starts every informer made so far, and those made later. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) this.startOne(inf, signal);
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  private startOne(inf: Informer, signal: AbortSignal): void {
    if (this.started.has(inf)) return;
    this.started.add(inf);
    void inf.run(signal);
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

/** obj without metadata.managedFields (a shallow copy: the incoming object may be shared). */
function withoutManagedFields(obj: Obj): Obj {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
