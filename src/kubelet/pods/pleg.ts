/**
 * @module The pod lifecycle event generator, as the kubelet's generic PLEG: relists every
 * sandbox and container once a period (1 s) and tells which pods' runtime state changed (a
 * container started, exited, was removed…), so that their workers sync at once.
 */
import { sleep } from '../../client/informer.js';
import { Labels, type RuntimeService } from '../cri/types.js';

export interface PlegOptions {
  runtime: Pick<RuntimeService, 'listPodSandbox' | 'listContainers'>;
  onPodChanged: (uid: string) => void;
  periodMs?: number;
  log: { warn(msg: string): void };
}

export class Pleg {
  private last = new Map<string, string>();

  constructor(private readonly o: PlegOptions) {}

  /** The pod uids the runtime had at the last relist. */
  podUIDs(): string[] { return [...this.last.keys()]; }

  /** Lists the runtime and reports pods whose state changed since the last relist. Throws CRI errors. */
  async relist(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([this.o.runtime.listPodSandbox(), this.o.runtime.listContainers()]);
    const parts = new Map<string, string[]>();
    const add = (uid: string | undefined, part: string) => {
      if (!uid) return;
      let p = parts.get(uid);
      if (!p) parts.set(uid, (p = []));
      p.push(part);
    };
    for (const s of sandboxes) add(s.labels?.[Labels.podUID], `s:${s.id}:${s.state}`);
    for (const c of containers) add(c.labels?.[Labels.podUID], `c:${c.id}:${c.state}`);
    const next = new Map<string, string>();
    for (const [uid, p] of parts) next.set(uid, p.sort().join(','));
    const changed: string[] = [];
    for (const [uid, fp] of next) if (this.last.get(uid) !== fp) changed.push(uid);
    for (const uid of this.last.keys()) if (!next.has(uid)) changed.push(uid);
    this.last = next;
    for (const uid of changed) this.o.onPodChanged(uid);
  }

  /** Relists every period until signal aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.periodMs ?? 1000;
    let lastError = '';
    while (!signal.aborted) {
      await sleep(period, signal);
      if (signal.aborted) return;
      try {
        await this.relist();
        lastError = '';
      } catch (e) {
        // A runtime that is down fails every relist: say so once, not every second.
        const msg = (e as Error).message;
        if (msg !== lastError) this.o.log.warn(`PLEG relist failed: ${msg}`);
        lastError = msg;
      }
    }
  }
}
