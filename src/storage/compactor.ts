/**
 * @module Periodic compaction, as kube-apiserver drives it for etcd (--etcd-compaction-interval):
 * each tick compacts to the revision the previous tick saw, so at least one interval of history
 * stays for watches and reads at older revisions. Works with any Store.
 */
import type { Store } from './store.js';

export interface Compactor { stop(): void }

/** Starts compacting store every intervalMs (0: never). Errors go to onError and the next tick retries. */
export function startCompactor(store: Store, intervalMs: number, onError: (err: Error) => void = () => {}): Compactor {
  if (!(intervalMs > 0)) return { stop() {} };
  let previous = 0;
  let compacted = 0;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      if (previous > compacted) {
        await store.compact(previous);
        compacted = previous;
      }
      previous = await store.currentRevision();
    } catch (err) {
      onError(err as Error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Parses a Go-style duration ("500ms", "1s", "5m", "1h30m", "0"); throws on anything else. */
export function parseDuration(text: string): number {
  if (text.trim() === '0') return 0;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) throw new Error(`invalid duration "${text}": use e.g. 500ms, 30s, 5m, 1h`);
  return total;
}
