/**
 * @module The SQLite layout, kine-style: one append-only table `kv` whose row id is the revision.
 * A row is a create, an update or a tombstone; UNIQUE(name, prev_revision) is the compare-and-swap.
 * Shared by the store (reads, on the main thread) and the writer (its worker thread).
 */
import Database from 'better-sqlite3';
import type { KeyValue, WatchEvent } from '../store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev_revision ON kv (name, prev_revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;
// AUTOINCREMENT: ids are never reused, even after compaction deletes the newest rows' history.
// create_revision is 0 on created rows (the row's own id); prev_revision is the id of the
// previous row of the same name (0 for none), so per name it grows with id, and the
// (name, prev_revision) index also finds a key's latest row. A tombstone stores no value:
// its previous row holds it, and compaction keeps that row as long as the tombstone.

/** meta names: the logical compacted revision, and how far compaction has deleted rows. */
export const META_COMPACT_REVISION = 'compact_revision';
export const META_COMPACTED_THROUGH = 'compacted_through';

export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL on every commit: an acknowledged write survives kill -9 and power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  // After a checkpoint, truncate the WAL back to this size so it does not stay at its peak.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  db.exec(SCHEMA);
  return db;
}

/** One row of kv, with the value of the row before it (for prevKv and tombstones). */
export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  /** Already resolved: the row's own id for created rows. */
  createRevision: number;
  prevRevision: number;
  value: string | null;
  prevValue: string | null;
}

/** Columns every row-reading query selects, joined with the previous row as p. */
export const ROW_COLUMNS = `k.id AS id, k.name AS name, k.created AS created, k.deleted AS deleted,
  CASE WHEN k.created THEN k.id ELSE k.create_revision END AS createRevision,
  k.prev_revision AS prevRevision, k.value AS value, p.value AS prevValue`;

/** The version a live (non-tombstone) row holds. */
export function rowKv(r: Pick<Row, 'id' | 'name' | 'createRevision' | 'value'>): KeyValue {
  return { key: r.name, value: r.value ?? '', createRevision: r.createRevision, modRevision: r.id };
}

/** The version before the row, when there was one (not for creates). */
function prevKv(r: Row): KeyValue | undefined {
  if (r.created || r.prevValue === null) return undefined;
  return { key: r.name, value: r.prevValue, createRevision: r.createRevision, modRevision: r.prevRevision };
}

/** What a delete returns: the last version, with modRevision set to the delete's revision. */
export function tombstoneKv(r: Row): KeyValue {
  return { key: r.name, value: r.prevValue ?? '', createRevision: r.createRevision, modRevision: r.id };
}

export function rowEvent(r: Row): WatchEvent {
  const prev = prevKv(r);
  const ev: WatchEvent = r.deleted ? { type: 'DELETE', kv: tombstoneKv(r) } : { type: 'PUT', kv: rowKv(r) };
  if (prev) ev.prevKv = prev;
  return ev;
}
