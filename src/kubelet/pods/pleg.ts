/**
 * @module The pod lifecycle event generator, as the kubelet's generic PLEG: relists every
 * sandbox and container once a period (1 s) and tells which pods' runtime state changed (a
 * container started, exited, was removed…), so that their workers sync at once.
 */
import { sleep } from '../../client/informer.js';
import { Labels, type ContainerState, type PodSandboxState, type RuntimeService } from '../cri/types.js';

export interface PlegOptions {
  runtime: Pick<RuntimeService, 'listPodSandbox' | 'listContainers'>;
  onPodChanged: (uid: string) => void;
  periodMs?: number;
  log: { warn(msg: string): void };
}

/** What a pod worker read of a pod (a RuntimePod fits). */
export interface ObservedPod {
  sandboxes: { id: string; state: PodSandboxState }[];
  containers: { id: string; state: ContainerState }[];
}

const sandboxPart = (id: string, state: string) => `s:${id}:${state}`;
const containerPart = (id: string, state: string) => `c:${id}:${state}`;
const fingerprint = (sandboxes: string[], containers: string[]) => [...sandboxes, ...containers].sort().join(',');

export class Pleg {
  private last = new Map<string, string>();

  constructor(private readonly o: PlegOptions) {}

  /** The pod uids the runtime had at the last relist. */
  podUIDs(): string[] { return [...this.last.keys()]; }

  /**
   * The runtime's state of a pod as its worker just read it (after acting on it). A pod worker's own
   * changes (the sandbox and containers it started) are then not reported back as events, which
   * would only sync the pod once more; a change after that read still is. Nothing: the pod is gone.
   */
  observed(uid: string, pod?: ObservedPod): void {
    const fp = pod ? fingerprint(pod.sandboxes.map((s) => sandboxPart(s.id, s.state)), pod.containers.map((c) => containerPart(c.id, c.state))) : '';
    if (fp) this.last.set(uid, fp);
    else this.last.delete(uid);
  }

  /** Lists the runtime and reports pods whose state changed since the last relist. Throws CRI errors. */
  async relist(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([this.o.runtime.listPodSandbox(), this.o.runtime.listContainers()]);
    const parts = new Map<string, { s: string[]; c: string[] }>();
    const of = (uid: string) => {
      let p = parts.get(uid);
      if (!p) parts.set(uid, (p = { s: [], c: [] }));
      return p;
    };
    for (const s of sandboxes) if (s.labels?.[Labels.podUID]) of(s.labels[Labels.podUID]).s.push(sandboxPart(s.id, s.state));
    for (const c of containers) if (c.labels?.[Labels.podUID]) of(c.labels[Labels.podUID]).c.push(containerPart(c.id, c.state));
    const next = new Map<string, string>();
    for (const [uid, p] of parts) next.set(uid, fingerprint(p.s, p.c));
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
