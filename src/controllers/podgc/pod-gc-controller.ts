/**
 * @module The pod garbage collector (kube-controller-manager's "podgc"): every period, deletes
 * terminated pods beyond a threshold (oldest first), pods bound to nodes that no longer exist
 * (after a quarantine), terminating pods never scheduled, and terminating pods on out-of-service nodes.
 */
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { sleep, type Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { Controller, ControllerContext } from '../context.js';

export const Name = 'podgc';
export const FieldManager = 'kube-controller-manager';
export const TaintNodeOutOfService = 'node.kubernetes.io/out-of-service';

export interface PodGCOptions {
  /** Terminated pods kept before the oldest are deleted (upstream --terminated-pod-gc-threshold, 12500; ≤ 0 disables). */
  terminatedPodThreshold: number;
  /** How often the collector runs (upstream gcCheckPeriod, 20 s). */
  periodMs: number;
  /** How long a node must be missing before its pods are orphans (upstream quarantineTime, 40 s). */
  quarantineMs: number;
}

/** Upstream's defaults; tests and `tug server` flags may override them through the factory. */
export const DefaultPodGCOptions: PodGCOptions = { terminatedPodThreshold: 12500, periodMs: 20_000, quarantineMs: 40_000 };

const terminated = (p: Obj) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class PodGCController implements Controller {
  readonly name = Name;
  private readonly client: Client;
  private readonly opts: PodGCOptions;
  private pods!: Informer;
  private nodes!: Informer;
  /** Node name → when pods were first seen bound to it while it was missing from the cache. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext, opts: Partial<PodGCOptions> = {}) {
    this.client = ctx.client;
    this.opts = { ...DefaultPodGCOptions, ...opts };
  }

  setup(): void {
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.nodes = this.ctx.informers.informer(ref('Node').type);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (e) {
        if (!signal.aborted) process.emitWarning(`podgc: ${(e as Error).message}`);
      }
      await sleep(this.opts.periodMs, signal);
    }
  }

  /** One pass of every collection (upstream's gc). Throws the first API error after finishing the pass. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    const errors: unknown[] = [];
    const attempt = async (f: () => Promise<void>) => { try { await f(); } catch (e) { errors.push(e); } };
    if (this.opts.terminatedPodThreshold > 0) await attempt(() => this.gcTerminated(pods));
    await attempt(() => this.gcTerminating(pods));
    await attempt(() => this.gcOrphaned(pods));
    await attempt(() => this.gcUnscheduledTerminating(pods));
    if (errors.length) throw errors[0];
  }

  /** Deletes the oldest terminated pods (evicted ones first) beyond the threshold. */
  private async gcTerminated(pods: Obj[]): Promise<void> {
    const done = pods.filter(terminated);
    const excess = done.length - this.opts.terminatedPodThreshold;
    if (excess <= 0) return;
    done.sort((a, b) => evictedFirst(a, b) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const p of done.slice(0, excess)) await this.markFailedAndDelete(p);
  }

  /** Terminating pods on a not-ready node tainted out-of-service are force-deleted (the node will not confirm). */
  private async gcTerminating(pods: Obj[]): Promise<void> {
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) continue;
      const node = this.nodes.get(p.spec.nodeName);
      if (!node || isReady(node)) continue;
      if (!(node.spec?.taints ?? []).some((t: Obj) => t.key === TaintNodeOutOfService && t.effect === 'NoExecute')) continue;
      await this.markFailedAndDelete(p);
    }
  }

  /** Pods bound to a node that has been gone for the quarantine (confirmed by a live GET) are deleted. */
  private async gcOrphaned(pods: Obj[]): Promise<void> {
    const now = this.ctx.now();
    const referenced = new Set<string>();
    for (const p of pods) if (p.spec?.nodeName) referenced.add(p.spec.nodeName);
    for (const name of [...this.missingSince.keys()]) {
      if (!referenced.has(name) || this.nodes.get(name)) this.missingSince.delete(name);
    }
    const deleted = new Set<string>();
    for (const name of referenced) {
      if (this.nodes.get(name)) continue;
      const since = this.missingSince.get(name);
      if (since === undefined) {
        this.missingSince.set(name, now);
        continue;
      }
      if (now - since < this.opts.quarantineMs) continue;
      if (await this.nodeExists(name)) {
        this.missingSince.delete(name);
        continue;
      }
      deleted.add(name);
    }
    if (deleted.size === 0) return;
    for (const p of pods) {
      if (!deleted.has(p.spec?.nodeName)) continue;
      await this.markFailedAndDelete(p, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists' });
    }
    for (const name of deleted) this.missingSince.delete(name);
  }

  /** Terminating pods that were never scheduled have no node to confirm: force-delete them. */
  private async gcUnscheduledTerminating(pods: Obj[]): Promise<void> {
    for (const p of pods) if (p.metadata.deletionTimestamp && !p.spec?.nodeName) await this.markFailedAndDelete(p);
  }

  private async nodeExists(name: string): Promise<boolean> {
    try {
      await this.client.get(ref('Node'), name);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Sets a running pod Failed (with the condition, if any), then deletes it at once (upstream's markFailedAndDeletePodWithCondition). */
  private async markFailedAndDelete(pod: Obj, condition?: Obj): Promise<void> {
    const r = ref('Pod', pod.metadata.namespace);
    try {
      if (!terminated(pod)) {
        const status = structuredClone(pod.status ?? {});
        status.phase = 'Failed';
        if (condition) {
          status.conditions = [...(status.conditions ?? []).filter((c: Obj) => c.type !== condition.type),
            { ...condition, lastProbeTime: null, lastTransitionTime: rfc3339(this.ctx.now()) }];
        }
        await this.client.updateStatus(r, { ...pod, status }, { fieldManager: FieldManager });
      }
      await this.client.delete(r, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid }, fieldManager: FieldManager });
    } catch (e) {
      // Gone or replaced meanwhile: nothing left to collect.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}

/** Evicted pods (status.reason "Evicted") sort before the others, as byEvictionAndCreationTimestamp. */
function evictedFirst(a: Obj, b: Obj): number {
  const ea = a.status?.reason === 'Evicted';
  const eb = b.status?.reason === 'Evicted';
  return ea === eb ? 0 : ea ? -1 : 1;
}

const isReady = (node: Obj) => (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
