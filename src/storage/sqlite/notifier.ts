/**
 * @module The one notifier per SqliteStore that feeds every watcher: rows committed by this
 * process are handed over directly after each commit; a poll picks up rows written by anyone
 * else (another process on the same file) and fills any gap.
 */
import { EventQueue } from '../event-queue.js';
import { hasPrefix } from '../keyspace.js';
import { rowEvent, type Row } from './schema.js';

interface Subscriber { prefix: string; after: number; queue: EventQueue }

export class Notifier {
  private readonly subscribers = new Set<Subscriber>();

  /**
   * @param readRows rows with id > after, in id order, at most a bounded page
   * @param currentRevision the store's revision now (used when nobody watches)
   * @param lastDelivered every row up to here has been handed to subscribers
   */
  constructor(
    private readonly readRows: (after: number) => Row[],
    private readonly currentRevision: () => number,
    public lastDelivered: number,
  ) {}

  /** Live events under prefix with revision > after go to queue until the returned function runs. */
  subscribe(prefix: string, after: number, queue: EventQueue): () => void {
    const s = { prefix, after, queue };
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Rows just committed by this process, in id order. */
  deliver(rows: Row[]): void {
    const fresh = rows.filter((r) => r.id > this.lastDelivered);
    if (fresh.length === 0) return;
    // Someone else committed in between: read everything from the table instead.
    if (fresh[0].id !== this.lastDelivered + 1) return this.poll();
    this.send(fresh);
  }

  poll(): void {
    if (this.subscribers.size === 0) {
      this.lastDelivered = Math.max(this.lastDelivered, this.currentRevision());
      return;
    }
    for (let rows = this.readRows(this.lastDelivered); rows.length > 0; rows = this.readRows(this.lastDelivered)) {
      this.send(rows);
    }
  }

  endAll(): void {
    for (const s of this.subscribers) s.queue.end();
    this.subscribers.clear();
  }

  private send(rows: Row[]): void {
    this.lastDelivered = rows[rows.length - 1].id;
    if (this.subscribers.size === 0) return;
    // One event object per row, shared read-only by every subscriber.
    const events = rows.map(rowEvent);
    for (const s of this.subscribers) {
      const mine = events.filter((e) => e.kv.modRevision > s.after && hasPrefix(e.kv.key, s.prefix));
      s.queue.push(mine);
    }
  }
}
