/**
 * @module The in-memory metrics behind metrics.k8s.io. Like metrics-server it scrapes every
 * resolution and keeps the last two points, but only while it is used: the first request after a
 * quiet spell starts it and waits for two scrapes a short warm-up apart, so that it can answer with
 * rates at once; after `idleMs` without requests the loop stops and the points are dropped.
 */
import type { NodeBatch } from './batch.js';
import { MetricsStorage } from './storage.js';

export interface MetricsCacheOptions {
  /** One scrape cycle: the batches of the nodes that answered, by node name. */
  scrape(): Promise<ReadonlyMap<string, NodeBatch>>;
  /** How often nodes are scraped while the cache is used (metrics-server's --metric-resolution). */
  resolutionMs?: number;
  /** The gap between the first two scrapes after a quiet spell. */
  warmupMs?: number;
  /** The loop stops this long after the last request. */
  idleMs?: number;
  /** A cycle that failed as a whole (e.g. the nodes could not be listed); the points stay as they were. */
  onError?(err: unknown): void;
}

const DEFAULT_RESOLUTION_MS = 10_000;

export class MetricsCache {
  private readonly resolutionMs: number;
  private readonly warmupMs: number;
  private readonly idleMs: number;
  private storage: MetricsStorage;
  /** Set while the loop runs; resolves once the warm-up's two scrapes are stored. */
  private warm?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private lastUsed = 0;
  private stopped = false;

  constructor(private readonly o: MetricsCacheOptions) {
    this.resolutionMs = o.resolutionMs ?? DEFAULT_RESOLUTION_MS;
    this.warmupMs = o.warmupMs ?? 1000;
    this.idleMs = o.idleMs ?? 10 * 60_000;
    this.storage = new MetricsStorage();
  }

  /** The points, at most a resolution (plus a scrape) old; starts the loop if it is not running. */
  async current(): Promise<MetricsStorage> {
    this.lastUsed = Date.now();
    if (!this.stopped) {
      this.warm ??= this.warmUp();
      await this.warm;
    }
    return this.storage;
  }

  /** Ends the loop for good (the API server is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async warmUp(): Promise<void> {
    await this.cycle();
    await new Promise((resolve) => setTimeout(resolve, this.warmupMs));
    await this.cycle();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.resolutionMs);
    // Scraping is no reason to keep the process alive.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (Date.now() - this.lastUsed > this.idleMs) {
      this.warm = undefined;
      this.storage = new MetricsStorage();
      return;
    }
    await this.cycle();
    this.schedule();
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    try {
      const batches = await this.o.scrape();
      if (!this.stopped) this.storage.store(batches);
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
