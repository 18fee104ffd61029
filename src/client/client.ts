/**
 * @module The Client every component uses to reach the cluster (controllers, scheduler, kubelet,
 * proxy, dns, ingress, cli): typed CRUD, patch and watch for any registered kind. Two
 * implementations share this contract: in-process (inside `tug server`) and HTTPS (agents, tools).
 */
import type { ResourceType } from '../api/scheme.js';

export type Obj = Record<string, any>;

/** Which resource a call is about: a registered type, and the namespace for namespaced kinds. */
export interface ResourceRef {
  type: ResourceType;
  /** Empty or absent for cluster-scoped kinds, or to list/watch across all namespaces. */
  namespace?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "" (latest), "0" (any), or a revision. */
  resourceVersion?: string;
}

export interface ListResult<T = Obj> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface WriteOptions {
  /** The field manager recorded in managedFields (defaults to the client's name). */
  fieldManager?: string;
  dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this revision; "" or "0" start with ADDED events for the current state. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface WatchEvent<T = Obj> { type: WatchEventType; object: T }

export interface Client {
  /** Throws StatusError (404 NotFound, …). */
  get(ref: ResourceRef, name: string): Promise<Obj>;
  list(ref: ResourceRef, opts?: ListOptions): Promise<ListResult>;
  /** Throws 409 AlreadyExists, 422 Invalid, 404 for a missing namespace. */
  create(ref: ResourceRef, obj: Obj, opts?: WriteOptions): Promise<Obj>;
  /**
   * Replaces the object (or, with opts.subresource, writes through that subresource, e.g. a
   * namespace's 'finalize'); its metadata.resourceVersion, when set, must be current (409 Conflict).
   */
  update(ref: ResourceRef, obj: Obj, opts?: WriteOptions & { subresource?: string }): Promise<Obj>;
  /** Writes status only (the status subresource). Same concurrency rules as update. */
  updateStatus(ref: ResourceRef, obj: Obj, opts?: WriteOptions): Promise<Obj>;
  /** Patches the object or one of its subresources ('status', 'scale'); 'apply' needs opts.fieldManager. */
  patch(ref: ResourceRef, name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { subresource?: string; force?: boolean }): Promise<Obj>;
  /** Returns the object as it was deleted, or as it now waits (deletionTimestamp set) for finalizers. */
  delete(ref: ResourceRef, name: string, opts?: DeleteOptions): Promise<Obj>;
  /**
   * Events until `signal` aborts or the server ends the watch (the iterable then ends). A 410 from
   * a compacted resourceVersion arrives as an ERROR event whose object is a Status with code 410.
   */
  watch(ref: ResourceRef, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** POST to a subresource that creates (pods/binding, pods/eviction). */
  createSubresource(ref: ResourceRef, name: string, subresource: string, body: Obj): Promise<Obj>;
}
