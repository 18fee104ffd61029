/**
 * @module SqliteStore: the embedded Store (kine on SQLite). Reads run on the caller's thread;
 * writes go to one writer worker that group-commits them; one notifier feeds every watch.
 * Compaction runs on a timer and keeps the newest `compactRetainRevisions` revisions.
 */
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import {
  CompactedError, ConflictError, KeyExistsError, NotFoundError,
  type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent,
} from '../store.js';
import { EventQueue } from '../event-queue.js';
import { Notifier } from './notifier.js';
import { Reader } from './reader.js';
import { rowEvent, rowKv, tombstoneKv, type Row } from './schema.js';
import type { WriteOutcome, WriteRequest, WriterData, WriterMessage } from './protocol.js';

export interface SqliteStoreOptions {
  /** The database file (created if missing, with -wal and -shm files beside it). */
  path: string;
  /** How often automatic compaction runs; 0 turns it off. Default 5 minutes (kine's). */
  compactIntervalMs?: number;
  /** How many recent revisions automatic compaction keeps for watches and old reads. Default 1000. */
  compactRetainRevisions?: number;
  /** How often the notifier polls for rows written by other processes. Default 1 s. */
  pollIntervalMs?: number;
}

type Pending = { resolve: (o: WriteOutcome) => void; reject: (e: Error) => void };

export class SqliteStore implements Store {
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<WriteOutcome>>();
  private outbox: WriteRequest[] = [];
  private seq = 0;
  private broken: Error | undefined;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly notifier: Notifier;

  private constructor(private readonly reader: Reader, private readonly worker: Worker, opts: SqliteStoreOptions) {
    this.notifier = new Notifier((after) => reader.rowsSince(after), () => reader.currentRevision(), reader.currentRevision());
    worker.on('message', (m: WriterMessage) => {
      if ('outcomes' in m) this.settle(m.outcomes);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`sqlite writer exited (code ${code})`)));
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms).unref());
    every(opts.pollIntervalMs ?? 1000, () => this.notifier.poll());
    const compactMs = opts.compactIntervalMs ?? 5 * 60_000;
    if (compactMs > 0) every(compactMs, () => this.autoCompact(opts.compactRetainRevisions ?? 1000));
  }

  /** Opens (creating if needed) the database and starts its writer; resolves once it is ready. */
  static async open(opts: SqliteStoreOptions): Promise<SqliteStore> {
    const reader = new Reader(opts.path); // creates the schema before the writer starts
    const worker = startWriter({ path: opts.path });
    try {
      const [m] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([e]) => { throw e; })])) as [WriterMessage];
      if (!('ready' in m)) throw new Error('sqlite writer did not start');
    } catch (err) {
      reader.close();
      await worker.terminate();
      throw err;
    }
    worker.unref();
    return new SqliteStore(reader, worker, opts);
  }

  async get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }> {
    return this.reader.snapshot(() => {
      const current = this.reader.currentRevision();
      if (opts?.revision) this.reader.checkReadable(opts.revision, current);
      const kv = this.reader.get(key, opts?.revision || current);
      return kv ? { kv, revision: current } : { revision: current };
    });
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.reader.snapshot(() => this.reader.list(prefix, opts));
  }

  async count(prefix: string): Promise<number> {
    return this.reader.snapshot(() => this.reader.count(prefix));
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return rowKv(this.rowOf(key, await this.write({ seq: 0, op: 'create', key, value })));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return rowKv(this.rowOf(key, await this.write({ seq: 0, op: 'update', key, value, expected: expectedModRevision })));
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return tombstoneKv(this.rowOf(key, await this.write({ seq: 0, op: 'delete', key, expected: expectedModRevision })));
  }

  async *watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    const queue = new EventQueue(signal);
    // Subscribe first: events past `upto` queue up while the history before it is read.
    const upto = this.notifier.lastDelivered;
    const unsubscribe = this.notifier.subscribe(prefix, Math.max(afterRevision, upto), queue);
    signal.addEventListener('abort', unsubscribe, { once: true });
    try {
      let cursor = afterRevision;
      do {
        const rows = this.reader.snapshot(() => {
          const compacted = this.reader.compactRevision();
          if (cursor < compacted) throw new CompactedError(afterRevision, compacted);
          return this.reader.history(prefix, cursor, upto);
        });
        if (rows.length === 0) break;
        cursor = rows[rows.length - 1].id;
        if (signal.aborted) return;
        yield rows.map(rowEvent);
      } while (cursor < upto);
      yield* queue.drain();
    } finally {
      signal.removeEventListener('abort', unsubscribe);
      unsubscribe();
      queue.end();
    }
  }

  async currentRevision(): Promise<number> {
    return this.reader.currentRevision();
  }

  async compact(revision: number): Promise<void> {
    const o = await this.write({ seq: 0, op: 'compact', revision });
    if ('error' in o) throw new Error(`sqlite compact failed: ${'message' in o ? o.message : o.error}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled(this.inflight);
    this.notifier.endAll();
    if (!this.broken) {
      this.broken = new Error('sqlite store closed');
      const exited = once(this.worker, 'exit');
      this.worker.ref();
      this.worker.postMessage('close');
      await exited;
    }
    this.reader.close();
  }

  private rowOf(key: string, o: WriteOutcome): Row {
    if ('row' in o) return o.row;
    if (!('error' in o)) throw new Error(`unexpected writer outcome for ${key}`);
    switch (o.error) {
      case 'exists': throw new KeyExistsError(key);
      case 'notfound': throw new NotFoundError(key);
      case 'conflict': throw new ConflictError(key, o.current);
      default: throw new Error(`sqlite write failed: ${o.message}`);
    }
  }

  /** Queues req for the writer; requests made in the same tick travel in one message. */
  private write(req: WriteRequest): Promise<WriteOutcome> {
    if (this.broken || this.closed) return Promise.reject(this.broken ?? new Error('sqlite store closed'));
    const seq = ++this.seq;
    // The worker holds the process open only while a write waits for it: an idle store does not.
    if (this.pending.size === 0) this.worker.ref();
    const p = new Promise<WriteOutcome>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    this.inflight.add(p);
    const forget = () => this.inflight.delete(p);
    p.then(forget, forget);
    if (this.outbox.length === 0) queueMicrotask(() => this.flush());
    this.outbox.push({ ...req, seq });
    return p;
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (this.broken) return this.fail(this.broken);
    this.worker.postMessage(batch);
  }

  private settle(outcomes: WriteOutcome[]): void {
    // Watchers see a commit before its writers are answered: a later read never outruns a watch.
    const rows = outcomes.flatMap((o) => ('row' in o ? [o.row] : []));
    if (rows.length > 0) this.notifier.deliver(rows);
    for (const o of outcomes) {
      this.pending.get(o.seq)?.resolve(o);
      this.pending.delete(o.seq);
    }
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const p of this.pending.values()) p.reject(this.broken);
    this.pending.clear();
    this.notifier.endAll();
  }

  private autoCompact(retain: number): void {
    const target = this.reader.currentRevision() - retain;
    if (target <= this.reader.compactRevision()) return;
    this.compact(target).catch((err: Error) => process.emitWarning(`sqlite auto-compaction failed: ${err.message}`));
  }
}

/**
 * Starts the writer worker: the compiled writer.js when running from the build, else writer.ts
 * through tsx (workers do not inherit tsx's loader, so the worker loads it first).
 */
function startWriter(data: WriterData): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./writer.js', import.meta.url), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const writer = new URL('./writer.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(writer)}, ${JSON.stringify(writer)}))`;
  return new Worker(boot, { eval: true, workerData: data });
}
