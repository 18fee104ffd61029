/**
 * @module EtcdStore: the Store on an etcd v3 cluster (the etcd3 client). Revisions are etcd's
 * revisions, a version's modRevision is its resourceVersion; writes are transactions that
 * compare the key's mod revision, and watches are etcd watches with prevKv.
 */
import { Etcd3, type ICompare, type IKeyValue, type IRequestOp, type IWatchResponse, type Watcher } from 'etcd3';
import {
  CompactedError, ConflictError, KeyExistsError, NotFoundError,
  type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent,
} from '../store.js';
import { EventQueue } from '../event-queue.js';
import { decodeContinue, encodeContinue } from '../keyspace.js';

export interface EtcdStoreOptions {
  /** host:port of each member, e.g. ["127.0.0.1:2379"]. */
  endpoints: string[];
}

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  /** The newest compaction this client has seen; etcd's range errors do not say which. */
  private compacted = 0;

  constructor(opts: EtcdStoreOptions) {
    this.client = new Etcd3({ hosts: opts.endpoints.map((e) => `http://${e}`) });
  }

  async get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }> {
    const res = await this.call(opts?.revision ?? 0, () => this.client.kv.range({ key: buf(key), revision: opts?.revision ?? 0 }));
    const revision = Number(res.header.revision);
    return res.kvs.length > 0 ? { kv: toKv(res.kvs[0]), revision } : { revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const asked = token?.revision ?? opts.revision ?? 0;
    // Resume just after the last key returned: that key plus a NUL byte.
    const start = token && token.key >= prefix ? `${token.key}\0` : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const res = await this.call(asked, () => this.client.kv.range({
      key: buf(start), range_end: rangeEnd(prefix), revision: asked, limit,
    }));
    const revision = asked || Number(res.header.revision);
    const result: ListResult = { items: res.kvs.map(toKv), revision };
    if (res.more && result.items.length > 0) {
      result.continue = encodeContinue({ key: result.items[result.items.length - 1].key, revision });
      result.remainingItemCount = Number(res.count) - result.items.length;
    }
    return result;
  }

  async count(prefix: string): Promise<number> {
    const res = await this.client.kv.range({ key: buf(prefix), range_end: rangeEnd(prefix), count_only: true });
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const res = await this.client.kv.txn({
      compare: [{ key: buf(key), target: 'Version', result: 'Equal', version: 0 }],
      success: [{ request_put: { key: buf(key), value: buf(value) } }],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const res = await this.casTxn(key, expectedModRevision, { request_put: { key: buf(key), value: buf(value), prev_kv: true } });
    const prev = res.responses[0].response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const res = await this.casTxn(key, expectedModRevision, { request_delete_range: { key: buf(key), prev_kv: true } });
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    return { ...toKv(prev), modRevision: Number(res.header.revision) };
  }

  async *watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    // etcd reports a compacted start only by cancelling the watch: check first for a typed error.
    await this.checkWatchable(afterRevision);
    if (signal.aborted) return;
    const queue = new EventQueue(signal);
    let seen = afterRevision;
    // watcher() subscribes at once; handlers go on before any event can be emitted.
    const watcher: Watcher = this.client.watch().inRange({ start: buf(prefix), end: rangeEnd(prefix) })
      .withPreviousKV().startRevision(String(afterRevision + 1)).watcher();
    watcher.on('data', (res: IWatchResponse) => {
      const events = res.events.map(toEvent);
      if (events.length > 0) seen = events[events.length - 1].kv.modRevision;
      queue.push(events);
    });
    watcher.on('error', (err: Error) => {
      // Compaction overtook this watch (etcd cancelled it): say so, so the caller relists.
      this.checkWatchable(seen).then(() => queue.fail(err), (e: unknown) => queue.fail(e));
    });
    const cancel = () => { watcher.cancel().catch(() => { /* the connection is going away anyway */ }); };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      yield* queue.drain();
    } finally {
      signal.removeEventListener('abort', cancel);
      cancel();
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: buf('/'), count_only: true });
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (err) {
      if (!isCompactedError(err)) throw err;
    }
    this.compacted = Math.max(this.compacted, revision);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /** Runs op on key only if it exists (at expected, when given); maps a failed compare. */
  private async casTxn(key: string, expected: number | undefined, op: IRequestOp) {
    const compare: ICompare[] = [{ key: buf(key), target: 'Version', result: 'Greater', version: 0 }];
    if (expected !== undefined) compare.push({ key: buf(key), target: 'Mod', result: 'Equal', mod_revision: expected });
    const res = await this.client.kv.txn({ compare, success: [op], failure: [{ request_range: { key: buf(key) } }] });
    if (res.succeeded) return res;
    const current = res.responses[0].response_range.kvs[0];
    if (!current) throw new NotFoundError(key);
    throw new ConflictError(key, toKv(current));
  }

  private async checkWatchable(afterRevision: number): Promise<void> {
    if (afterRevision <= 0 || afterRevision >= await this.currentRevision()) return;
    await this.call(afterRevision, () => this.client.kv.range({ key: buf('/'), count_only: true, revision: afterRevision }));
  }

  /** Runs a read at revision, turning etcd's "compacted" error into CompactedError. */
  private async call<T>(revision: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (!isCompactedError(err)) throw err;
      this.compacted = Math.max(this.compacted, revision + 1);
      throw new CompactedError(revision, this.compacted);
    }
  }
}

const buf = (s: string) => Buffer.from(s, 'utf8');

/** The end of etcd's byte range for a prefix; "\0" (to the end) when the prefix is empty or all 0xff. */
function rangeEnd(prefix: string): Buffer {
  const b = buf(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = b.subarray(0, i + 1);
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

const isCompactedError = (err: unknown) => err instanceof Error && /required revision has been compacted/.test(err.message);

function toKv(raw: IKeyValue): KeyValue {
  return {
    key: raw.key.toString('utf8'),
    value: raw.value.toString('utf8'),
    createRevision: Number(raw.create_revision),
    modRevision: Number(raw.mod_revision),
  };
}

function toEvent(e: { type: string; kv: IKeyValue; prev_kv?: IKeyValue | null }): WatchEvent {
  const prevKv = e.prev_kv ? toKv(e.prev_kv) : undefined;
  const kv = e.type === 'Delete'
    ? { ...(prevKv ?? { key: e.kv.key.toString('utf8'), value: '', createRevision: 0 }), modRevision: Number(e.kv.mod_revision) }
    : toKv(e.kv);
  const ev: WatchEvent = { type: e.type === 'Delete' ? 'DELETE' : 'PUT', kv };
  if (prevKv) ev.prevKv = prevKv;
  return ev;
}
