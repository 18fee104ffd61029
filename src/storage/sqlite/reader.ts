/**
 * @module Read queries on the main thread's own connection. WAL lets them run while the writer
 * worker commits; each public read runs in one read transaction, so it sees one revision.
 */
import type Database from 'better-sqlite3';
import { CompactedError, type KeyValue, type ListOptions, type ListResult } from '../store.js';
import { decodeContinue, encodeContinue, prefixEnd } from '../keyspace.js';
import { META_COMPACT_REVISION, ROW_COLUMNS, openDatabase, rowKv, type Row } from './schema.js';

/** Rows one history or poll query returns; callers page on. */
const PAGE = 1000;

/** The latest row of each name in [lo, hi) as of revision @rev (hi absent: no upper bound). */
function latestPerName(loOp: '>' | '>=', hasHi: boolean): string {
  return `(SELECT MAX(id) AS id FROM kv WHERE name ${loOp} @lo ${hasHi ? 'AND name < @hi' : ''} AND id <= @rev GROUP BY name)`;
}

export class Reader {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.db = openDatabase(path);
  }

  /** Runs fn in one read transaction (one consistent snapshot). */
  snapshot<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  currentRevision(): number {
    return this.stmt(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0)`).pluck().get() as number;
  }

  compactRevision(): number {
    return (this.stmt('SELECT value FROM meta WHERE name = ?').pluck().get(META_COMPACT_REVISION) as number | undefined) ?? 0;
  }

  /** Throws unless revision can be read: not compacted, not in the future. */
  checkReadable(revision: number, current: number): void {
    const compacted = this.compactRevision();
    if (revision < compacted) throw new CompactedError(revision, compacted);
    if (revision > current) throw new Error(`revision ${revision} is in the future (current ${current})`);
  }

  get(key: string, revision: number): KeyValue | undefined {
    const row = this.stmt(`SELECT id, name, deleted, CASE WHEN created THEN id ELSE create_revision END AS createRevision,
      value FROM kv WHERE name = ? AND id <= ? ORDER BY prev_revision DESC LIMIT 1`).get(key, revision) as
      (Row | undefined);
    return row && !row.deleted ? rowKv(row) : undefined;
  }

  list(prefix: string, opts: ListOptions): ListResult {
    const current = this.currentRevision();
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const revision = token?.revision ?? (opts.revision || current);
    this.checkReadable(revision, current);
    const after = token && token.key >= prefix ? token.key : undefined;
    const hi = prefixEnd(prefix);
    const params = { lo: after ?? prefix, hi, rev: revision };
    const range = latestPerName(after === undefined ? '>=' : '>', hi !== undefined);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const rows = this.stmt(`SELECT k.id AS id, k.name AS name,
      CASE WHEN k.created THEN k.id ELSE k.create_revision END AS createRevision, k.value AS value
      FROM ${range} m JOIN kv k ON k.id = m.id WHERE k.deleted = 0 ORDER BY k.name LIMIT @limit`)
      .all({ ...params, limit: limit === undefined ? -1 : limit + 1 }) as Row[];
    const result: ListResult = { items: rows.map(rowKv), revision };
    if (limit !== undefined && rows.length > limit) {
      result.items.pop();
      const last = result.items[limit - 1].key;
      result.continue = encodeContinue({ key: last, revision });
      result.remainingItemCount = this.countLatest({ lo: last, hi, rev: revision }, '>');
    }
    return result;
  }

  count(prefix: string): number {
    return this.countLatest({ lo: prefix, hi: prefixEnd(prefix), rev: this.currentRevision() }, '>=');
  }

  /** Rows under prefix with after < id <= upto, in id order, one page. */
  history(prefix: string, after: number, upto: number): Row[] {
    const hi = prefixEnd(prefix);
    return this.stmt(`SELECT ${ROW_COLUMNS} FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision
      WHERE k.id > @after AND k.id <= @upto AND k.name >= @lo ${hi === undefined ? '' : 'AND k.name < @hi'}
      ORDER BY k.id LIMIT ${PAGE}`).all({ after, upto, lo: prefix, hi }) as Row[];
  }

  /** Every row with id > after, in id order, one page (the notifier's poll). */
  rowsSince(after: number): Row[] {
    return this.stmt(`SELECT ${ROW_COLUMNS} FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision
      WHERE k.id > ? ORDER BY k.id LIMIT ${PAGE}`).all(after) as Row[];
  }

  close(): void {
    this.db.close();
  }

  private countLatest(params: { lo: string; hi?: string; rev: number }, loOp: '>' | '>='): number {
    const range = latestPerName(loOp, params.hi !== undefined);
    return this.stmt(`SELECT COUNT(*) FROM ${range} m JOIN kv k ON k.id = m.id WHERE k.deleted = 0`)
      .pluck().get(params) as number;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }
}
