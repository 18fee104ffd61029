/**
 * @module Events as client-go's record.EventRecorder writes them: core/v1 Events about an object,
 * written in the background, deduplicated (a repeat bumps count and lastTimestamp) and rate-limited.
 */
import { isNotFound } from '../apimachinery/errors.js';
import type { Client, Obj } from './client.js';
import { ref } from './kind-ref.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Queues an Event about `obj`; never blocks and never throws (write errors are logged and dropped). */
  event(obj: Obj, type: EventType, reason: string, message: string): void;
}

export interface EventBroadcasterOptions {
  /** A repeat within this window bumps the existing Event; after it, a new Event starts. Default 10 min. */
  dedupWindowMs?: number;
  /** Per-object token bucket, as upstream's spam filter: burst 25, then one event per 5 min. */
  burst?: number;
  refillIntervalMs?: number;
  /** Events waiting to be written beyond this are dropped (upstream's queue of 1000). */
  maxQueue?: number;
  /** Distinct (object, reason, message) entries remembered for dedup (upstream's LRU of 4096). */
  cacheSize?: number;
  now?: () => number;
  log?: { error(obj: object, msg?: string): void };
}

interface Seen { namespace: string; name: string; count: number; firstSeen: number }
interface Bucket { tokens: number; last: number }

/** RFC 3339 to the second, as metav1.Time serializes. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Writes Events for any number of recorders through one queue, one write at a time. */
export class EventBroadcaster {
  private readonly events = ref('Event');
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly queue: (() => Promise<void>)[] = [];
  private draining: Promise<void> | undefined;
  private seq = 0;
  private readonly opts: Required<Omit<EventBroadcasterOptions, 'log'>> & Pick<EventBroadcasterOptions, 'log'>;

  constructor(private readonly client: Client, opts: EventBroadcasterOptions = {}) {
    this.opts = { dedupWindowMs: 10 * 60_000, burst: 25, refillIntervalMs: 5 * 60_000, maxQueue: 1000, cacheSize: 4096,
      now: () => Date.now(), ...opts };
  }

  /** A recorder whose Events name `component` (and `host`, the reporting instance) as their source. */
  recorder(component: string, host?: string): EventRecorder {
    return { event: (obj, type, reason, message) => this.record(obj, type, reason, message, component, host) };
  }

  /** Resolves when every queued Event has been written (or dropped). Never rejects. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private record(obj: Obj, type: EventType, reason: string, message: string, component: string, host?: string): void {
    const m = obj.metadata ?? {};
    const involvedObject = { kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: obj.apiVersion,
      resourceVersion: m.resourceVersion };
    const objectKey = JSON.stringify([component, host ?? '', obj.kind, m.namespace ?? '', m.name, m.uid ?? '', obj.apiVersion]);
    const now = this.opts.now();
    if (!this.allow(objectKey, now)) return;
    if (this.queue.length >= this.opts.maxQueue) {
      this.opts.log?.error({ reason, object: `${m.namespace ?? ''}/${m.name}` }, 'event queue full: event dropped');
      return;
    }
    const key = JSON.stringify([objectKey, type, reason, message]);
    const event: Obj = {
      apiVersion: 'v1', kind: 'Event',
      // Events about cluster-scoped objects live in "default", as upstream puts them.
      metadata: { name: `${m.name}.${this.nanoHex(now)}`, namespace: m.namespace || 'default' },
      involvedObject, reason, message, type, count: 1,
      source: host ? { component, host } : { component },
      firstTimestamp: rfc3339(now), lastTimestamp: rfc3339(now),
      reportingComponent: component, reportingInstance: host ?? '',
    };
    this.enqueue(() => this.write(key, event, now));
  }

  /** Creates the Event, or bumps the one written for the same key within the window. */
  private async write(key: string, event: Obj, now: number): Promise<void> {
    const r = { ...this.events, namespace: event.metadata.namespace };
    const prev = this.seen.get(key);
    try {
      if (prev && now - prev.firstSeen < this.opts.dedupWindowMs) {
        const count = prev.count + 1;
        try {
          await this.client.patch({ ...r, namespace: prev.namespace }, prev.name, 'merge', { count, lastTimestamp: event.lastTimestamp });
          this.remember(key, { ...prev, count });
          return;
        } catch (e) {
          // Deleted meanwhile (TTL, cleanup): start over with a new Event, as upstream does.
          if (!isNotFound(e)) throw e;
        }
      }
      const created = await this.client.create(r, event);
      this.remember(key, { namespace: created.metadata.namespace, name: created.metadata.name, count: 1, firstSeen: now });
    } catch (err) {
      this.opts.log?.error({ err, reason: event.reason, object: event.involvedObject }, 'event write failed: dropped');
    }
  }

  private remember(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    // Map keeps insertion order: the first key is the least recently written.
    if (this.seen.size > this.opts.cacheSize) this.seen.delete(this.seen.keys().next().value!);
  }

  private allow(objectKey: string, now: number): boolean {
    const { burst, refillIntervalMs } = this.opts;
    const b = this.buckets.get(objectKey) ?? { tokens: burst, last: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.last) / refillIntervalMs);
    b.last = now;
    this.buckets.delete(objectKey);
    this.buckets.set(objectKey, b);
    if (this.buckets.size > this.opts.cacheSize) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue.push(job);
    this.draining ??= (async () => {
      // Later writes of one key see the earlier ones' results: one write at a time, in order.
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await next();
      this.draining = undefined;
    })();
  }

  /** Upstream names Events `<object>.<UnixNano in hex>`; a sequence keeps names unique within a millisecond. */
  private nanoHex(ms: number): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return (BigInt(ms) * 1_000_000n + BigInt(this.seq)).toString(16);
  }
}
