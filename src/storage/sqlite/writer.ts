/**
 * @module The SQLite writer, run in a worker thread so that fsync never blocks the main event
 * loop. Group commit: every request that arrived while the previous commit ran goes into the
 * next transaction, so N concurrent writers cost about one fsync per batch, not N.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { META_COMPACT_REVISION, META_COMPACTED_THROUGH, openDatabase, rowKv, type Row } from './schema.js';
import type { WriteOutcome, WriteRequest, WriterData, WriterMessage } from './protocol.js';

/** Bounds one transaction so a flood of writers still gets answers every few milliseconds. */
const MAX_BATCH = 2000;
/** Revisions one compaction transaction scans; compaction interleaves with write batches. */
const COMPACT_CHUNK = 5000;

type CompactRequest = Extract<WriteRequest, { op: 'compact' }>;
type KvRequest = Exclude<WriteRequest, CompactRequest>;
interface Latest { id: number; deleted: number; createRevision: number; value: string | null }

const port = parentPort!;
const db = openDatabase((workerData as WriterData).path);
const latestStmt = db.prepare(`SELECT id, deleted, CASE WHEN created THEN id ELSE create_revision END AS createRevision,
  value FROM kv WHERE name = ? ORDER BY prev_revision DESC LIMIT 1`);
const insertStmt = db.prepare(`INSERT INTO kv (name, created, deleted, create_revision, prev_revision, value)
  VALUES (?, ?, ?, ?, ?, ?)`);
const currentStmt = db.prepare(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0) AS rev`).pluck();
const getMetaStmt = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
const setMetaStmt = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
// A row is garbage once a newer row of its name below the compact revision supersedes it.
const deleteSupersededStmt = db.prepare(`DELETE FROM kv WHERE id IN
  (SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision > 0)`);
const deleteTombstonesStmt = db.prepare('DELETE FROM kv WHERE deleted = 1 AND id > ? AND id <= ?');

let queue: KvRequest[] = [];
let compactWaiters: CompactRequest[] = [];
let scheduled = false;
let closed = false;

const meta = (name: string) => (getMetaStmt.get(name) as number | undefined) ?? 0;
const post = (m: WriterMessage) => port.postMessage(m);

port.on('message', (m: WriteRequest[] | 'close') => {
  take(m);
  schedule();
});

/** The store sends 'close' only once every write it sent has been answered. */
function take(m: WriteRequest[] | 'close'): void {
  if (m === 'close') {
    closed = true;
    db.close();
    port.close();
    return;
  }
  for (const r of m) {
    if (r.op === 'compact') compactWaiters.push(r);
    else queue.push(r);
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(pump);
}

function pump(): void {
  scheduled = false;
  // Requests that arrived during the last commit are already waiting: take them all now.
  for (let m = receiveMessageOnPort(port); m && !closed; m = receiveMessageOnPort(port)) take(m.message);
  if (closed) return;
  if (queue.length > 0) {
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    post({ outcomes: commit(batch) });
  }
  if (compactWaiters.length > 0 || compactionBehind()) post({ outcomes: compactStep() });
  if (queue.length > 0 || compactWaiters.length > 0 || compactionBehind()) schedule();
}

function commit(batch: KvRequest[]): WriteOutcome[] {
  const out: WriteOutcome[] = [];
  try {
    db.exec('BEGIN IMMEDIATE');
    for (const r of batch) out.push(apply(r));
    db.exec('COMMIT');
    return out;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const message = err instanceof Error ? err.message : String(err);
    return batch.map((r) => ({ seq: r.seq, error: 'failed', message }));
  }
}

/** One write inside the open transaction; requests earlier in the batch are already visible. */
function apply(r: KvRequest): WriteOutcome {
  const cur = latestStmt.get(r.key) as Latest | undefined;
  const live = cur && !cur.deleted ? cur : undefined;
  if (r.op === 'create') {
    if (live) return { seq: r.seq, error: 'exists' };
    return insert(r.seq, r.key, 1, 0, 0, cur?.id ?? 0, r.value, null);
  }
  if (!live) return { seq: r.seq, error: 'notfound' };
  const expected = r.op === 'update' ? r.expected : r.expected ?? live.id;
  if (live.id !== expected) {
    return { seq: r.seq, error: 'conflict', current: rowKv({ ...live, name: r.key }) };
  }
  return r.op === 'update'
    ? insert(r.seq, r.key, 0, 0, live.createRevision, live.id, r.value, live.value)
    : insert(r.seq, r.key, 0, 1, live.createRevision, live.id, null, live.value);
}

function insert(seq: number, name: string, created: 0 | 1, deleted: 0 | 1, createRevision: number,
  prevRevision: number, value: string | null, prevValue: string | null): WriteOutcome {
  let id: number;
  try {
    id = Number(insertStmt.run(name, created, deleted, createRevision, prevRevision, value).lastInsertRowid);
  } catch (err) {
    // The CAS index caught a writer in another process that got there first.
    if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      const cur = latestStmt.get(name) as Latest;
      return { seq, error: 'conflict', current: rowKv({ ...cur, name }) };
    }
    throw err;
  }
  const row: Row = { id, name, created, deleted, createRevision: created ? id : createRevision, prevRevision, value, prevValue };
  return { seq, row };
}

const compactionBehind = () => meta(META_COMPACTED_THROUGH) < meta(META_COMPACT_REVISION) - 1;

/**
 * Records the newest requested compact revision (readers check it at once), then deletes one
 * chunk of garbage: rows superseded below it and tombstones below it. Progress is kept in meta,
 * so a restart resumes an interrupted compaction.
 */
function compactStep(): WriteOutcome[] {
  const out: WriteOutcome[] = [];
  try {
    const current = currentStmt.get() as number;
    const valid = compactWaiters.filter((w) => {
      if (w.revision <= current) return true;
      out.push({ seq: w.seq, error: 'failed', message: `compact: revision ${w.revision} is in the future (current ${current})` });
      return false;
    });
    compactWaiters = valid;
    const wanted = Math.max(0, ...valid.map((w) => w.revision));
    db.transaction(() => {
      const target = Math.max(meta(META_COMPACT_REVISION), wanted);
      setMetaStmt.run(META_COMPACT_REVISION, target);
      const from = meta(META_COMPACTED_THROUGH);
      const to = Math.min(from + COMPACT_CHUNK, target - 1);
      if (to <= from) return;
      deleteSupersededStmt.run(from, to);
      deleteTombstonesStmt.run(from, to);
      setMetaStmt.run(META_COMPACTED_THROUGH, to);
    }).immediate();
    if (!compactionBehind()) {
      for (const w of compactWaiters) out.push({ seq: w.seq, compacted: true });
      compactWaiters = [];
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    for (const w of compactWaiters) out.push({ seq: w.seq, error: 'failed', message });
    compactWaiters = [];
  }
  return out;
}

// Resume a compaction that a previous process did not finish.
if (compactionBehind()) schedule();
post({ ready: true });
