/**
 * @module The Store contract: a revisioned key-value store with watch, after kine's Backend
 * and etcd's KV/Watch. Every backend (sqlite, etcd) and the watch cache implement it and run
 * the one conformance suite in store.conformance.ts. Storage knows nothing of HTTP or kinds.
 */

/** One stored version of a key. Revisions are cluster-wide, strictly increasing integers. */
export interface KeyValue {
  key: string;
  /** The serialized object (JSON text). */
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this version; it is the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: the current one). Throws CompactedError if compacted. */
  revision?: number;
  /** At most this many items; `continue` then names where the next page starts. */
  limit?: number;
  /** Opaque token from a previous page: the page goes on from there at that page's revision. */
  continue?: string;
  /**
   * Any revision at or after this one will do (resourceVersion "0" or NotOlderThan): a cache may
   * answer from memory without a consistent read. Backends read the current revision, never older.
   * Ignored with `revision` or `continue`.
   */
  notOlderThan?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Set when more items remain; pass back as ListOptions.continue. */
  continue?: string;
  /** How many items remain after this page (set when continue is). */
  remainingItemCount?: number;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  /** For PUT the new version; for DELETE the last version, with modRevision set to the delete's revision. */
  kv: KeyValue;
  /** The version before this event, when there was one. */
  prevKv?: KeyValue;
}

export interface Store {
  /** The current version of key, or undefined; `revision` is the store's revision at the read. */
  get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }>;

  /** Keys under prefix in key order. Throws CompactedError for a compacted revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /**
   * The newest version of key held in memory, which may already be stale: a starting point for a
   * compare-and-swap (upstream's cached origState in GuaranteedUpdate), never the answer to a read.
   * Stores without a cache leave it out.
   */
  cached?(key: string): KeyValue | undefined;

  /** Number of keys under prefix now. */
  count(prefix: string): Promise<number>;

  /** Creates key; throws KeyExistsError if it exists. Resolves once the write is durable. */
  create(key: string, value: string): Promise<KeyValue>;

  /**
   * Replaces key only if its current modRevision is expectedModRevision (compare-and-swap).
   * Throws ConflictError (with the current version, if any) otherwise, NotFoundError if absent.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;

  /**
   * Deletes key (only if at expectedModRevision when given). Returns the deleted version with
   * modRevision set to the delete's revision. Throws NotFoundError / ConflictError.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;

  /**
   * Events under prefix with revision > afterRevision, in revision order, batched; the iterable
   * ends when signal aborts. Throws CompactedError (on first iteration) if afterRevision is
   * older than the compacted revision.
   */
  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]>;

  /** The store's latest revision. */
  currentRevision(): Promise<number>;

  /** Drops history older than revision (reads and watches before it then throw CompactedError). */
  compact(revision: number): Promise<void>;

  /** Releases connections, timers and files. */
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) { super(`key exists: ${key}`); this.name = 'KeyExistsError'; }
}
export class NotFoundError extends Error {
  constructor(readonly key: string) { super(`key not found: ${key}`); this.name = 'NotFoundError'; }
}
export class ConflictError extends Error {
  constructor(readonly key: string, readonly current?: KeyValue) {
    super(`revision mismatch for ${key}`); this.name = 'ConflictError';
  }
}
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted at ${compacted})`);
    this.name = 'CompactedError';
  }
}
