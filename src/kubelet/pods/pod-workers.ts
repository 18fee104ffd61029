/**
 * @module The kubelet's pod workers: an informer of the pods bound to this node, one serialized
 * worker per pod (pods in parallel) keyed by uid, fed by pod events, the PLEG, probe results and
 * back-off timers; deleted pods are torn down and confirmed, pods deleted while the agent was
 * down and runtime leftovers without a pod are removed (at start and by housekeeping), and
 * mounted ConfigMaps/Secrets are refreshed, container logs rotated.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers } from '../../client/controller.js';
import { Informer, sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { RuntimeService } from '../cri/types.js';
import type { PodVolumes } from './deps.js';
import { LogRotator } from './log-rotation.js';
import { Pleg } from './pleg.js';
import type { PodSyncer } from './pod-sync.js';

export interface PodWorkersOptions {
  client: Client;
  nodeName: string;
  runtime: RuntimeService;
  syncer: PodSyncer;
  volumes: PodVolumes;
  /** Syncs in flight at once (default 64). */
  workers?: number;
  /** PLEG relist period (default 1 s). */
  plegPeriodMs?: number;
  /** Orphan clean-up and volume refresh period (default 10 s). */
  housekeepingMs?: number;
  /** Every pod is synced again this often even without events (kubelet's syncFrequency, default 1 min). */
  resyncMs?: number;
  log: { info(msg: string): void; warn(msg: string): void };
}

export class PodWorkers {
  private readonly queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 30_000 });
  private readonly informer: Informer;
  private readonly pleg: Pleg;
  private readonly logs: LogRotator;
  /** The newest version of each pod bound here, by uid. */
  private readonly pods = new Map<string, Obj>();
  /** Pods gone from the API whose teardown is pending, by uid (last known version). */
  private readonly removed = new Map<string, Obj>();
  /** Pods this node already tore down and confirmed (their delete event needs no second teardown). */
  private readonly confirmed = new Set<string>();
  private synced = false;

  constructor(private readonly o: PodWorkersOptions) {
    this.informer = new Informer(o.client, { type: ref('Pod').type }, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    this.logs = new LogRotator({ runtime: o.runtime, log: o.log });
    this.pleg = new Pleg({ runtime: o.runtime, periodMs: o.plegPeriodMs, log: o.log, onPodChanged: (uid) => this.enqueue(uid) });
  }

  /** Asks for a sync of the pod with this uid (probe result flipped, …). */
  enqueue(uid: string): void { this.queue.add(uid); }

  /** Runs until signal aborts: adoption and orphan clean-up first, then the workers. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    this.informer.addHandler({
      add: (p) => this.upsert(p),
      update: (old, p) => {
        this.pods.set(p.metadata.uid, p);
        if (needsSync(old, p) || this.o.syncer.statusIsStale(p)) this.enqueue(p.metadata.uid);
      },
      delete: (p) => {
        const uid: string = p.metadata.uid;
        this.pods.delete(uid);
        if (this.confirmed.delete(uid)) return;
        this.removed.set(uid, p);
        this.enqueue(uid);
      },
    });
    const informing = this.informer.run(signal);
    await Promise.race([this.informer.waitForSync(), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    if (signal.aborted) return informing;
    this.synced = true;
    // Adoption: the runtime's pods are synced (kept when their pod exists, removed when not).
    try {
      await this.pleg.relist();
      for (const uid of this.pleg.podUIDs()) this.enqueue(uid);
    } catch (e) {
      this.o.log.warn(`initial runtime relist failed: ${(e as Error).message}`);
    }
    await Promise.all([
      informing,
      this.pleg.run(signal),
      this.housekeeping(signal),
      runWorkers({ name: 'pod-workers', queue: this.queue, reconciler: { reconcile: (uid) => this.syncOne(uid) },
        workers: this.o.workers ?? 64, signal, onError: (uid, e) => this.o.log.warn(`sync pod ${this.describe(uid)}: ${(e as Error).message}`) }),
    ]);
  }

  private upsert(pod: Obj): void {
    const uid: string = pod.metadata.uid;
    this.pods.set(uid, pod);
    this.enqueue(uid);
  }

  private describe(uid: string): string {
    const p = this.pods.get(uid) ?? this.removed.get(uid);
    return p ? `${p.metadata.namespace}/${p.metadata.name} (${uid})` : uid;
  }

  private async syncOne(uid: string): Promise<{ requeueAfterMs?: number } | void> {
    const pod = this.pods.get(uid);
    if (pod) {
      if (!pod.metadata.deletionTimestamp) {
        const { requeueAfterMs, observed } = await this.o.syncer.sync(pod);
        if (observed) this.pleg.observed(uid, observed);
        return { requeueAfterMs };
      }
      this.confirmed.add(uid);
      try {
        await this.o.syncer.terminate(pod, true);
      } catch (e) {
        this.confirmed.delete(uid);
        throw e;
      }
      this.pleg.observed(uid);
      return;
    }
    const gone = this.removed.get(uid);
    if (gone) {
      await this.o.syncer.terminate(gone, false);
      this.removed.delete(uid);
      this.pleg.observed(uid);
      return;
    }
    if (this.synced) {
      await this.o.syncer.removeOrphan(uid);
      this.pleg.observed(uid);
    }
  }

  /** Orphans (runtime pods and volume dirs without a pod), log rotation, periodic resync and volume refresh. */
  private async housekeeping(signal: AbortSignal): Promise<void> {
    const period = this.o.housekeepingMs ?? 10_000;
    const resync = this.o.resyncMs ?? 60_000;
    let lastResync = Date.now();
    while (!signal.aborted) {
      await sleep(period, signal);
      if (signal.aborted) return;
      try {
        const known = (uid: string) => this.pods.has(uid) || this.removed.has(uid);
        for (const uid of this.pleg.podUIDs()) if (!known(uid)) this.enqueue(uid);
        const inRuntime = new Set(this.pleg.podUIDs());
        for (const uid of await this.o.volumes.podDirs()) if (!known(uid) && !inRuntime.has(uid)) await this.o.volumes.tearDownPod(uid);
        this.o.syncer.crashBackoff.gc();
        await this.logs.rotateAll();
        for (const pod of this.pods.values()) {
          if (signal.aborted) return;
          // Only pods whose volumes were set up (running); others get theirs set up by their next sync.
          if (pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') continue;
          await this.o.volumes.refreshPod(pod).catch((e) => this.o.log.warn(`refresh volumes of ${this.describe(pod.metadata.uid)}: ${(e as Error).message}`));
        }
        if (Date.now() - lastResync >= resync) {
          lastResync = Date.now();
          for (const uid of this.pods.keys()) this.enqueue(uid);
        }
      } catch (e) {
        this.o.log.warn(`housekeeping: ${(e as Error).message}`);
      }
    }
  }
}

/**
 * Whether a pod update asks for a sync: its spec, labels, annotations or deletion changed, or a
 * readiness gate's condition did. The kubelet's own status writes do not (as the kubelet's pod
 * config ignores status-only updates), so a waiting reason stays until the next real event.
 */
function needsSync(old: Obj, cur: Obj): boolean {
  const a = old.metadata ?? {};
  const b = cur.metadata ?? {};
  if (a.uid !== b.uid || a.deletionTimestamp !== b.deletionTimestamp || a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds) return true;
  if (!isDeepStrictEqual(a.labels, b.labels) || !isDeepStrictEqual(a.annotations, b.annotations)) return true;
  if (!isDeepStrictEqual(old.spec, cur.spec)) return true;
  const gates: Obj[] = cur.spec?.readinessGates ?? [];
  const gate = (p: Obj) => (p.status?.conditions ?? []).filter((c: Obj) => gates.some((g) => g.conditionType === c.type)).map((c: Obj) => [c.type, c.status]);
  return gates.length > 0 && !isDeepStrictEqual(gate(old), gate(cur));
}
