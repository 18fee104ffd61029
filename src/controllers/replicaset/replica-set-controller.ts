/**
 * @module The ReplicaSet controller (kube-controller-manager's "replicaset"): keeps
 * spec.replicas active pods per ReplicaSet — creating in slow-start batches, deleting the
 * cheapest pods first — adopts and releases pods by selector, and reports status.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import { fromLabelSelector, matches, type Selector } from '../../apimachinery/labels/index.js';
import type { Client, Obj, ResourceRef } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { rankPodsForDeletion } from '../controller-utils/active-pods.js';
import {
  claimObjects, getControllerOf, newControllerRef, podControllerIndex, PodsByControllerIndex,
} from '../controller-utils/controller-ref.js';
import { BatchedEnqueue, onlyStatusChanged } from '../controller-utils/batched-enqueue.js';
import { ControllerExpectations } from '../controller-utils/expectations.js';
import { PodControl } from '../controller-utils/pod-template.js';
import { filterActivePods, isPodActive, isPodReady } from '../controller-utils/pods.js';
import { slowStartBatch } from './slow-start.js';
import { calculateStatus, updateReplicaSetStatus } from './status.js';

export const Name = 'replicaset';
/** The field manager of every write (kube-controller-manager's). */
export const FieldManager = 'kube-controller-manager';
/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BurstReplicas = 500;
/** Upstream's SlowStartInitialBatchSize. */
export const SlowStartInitialBatchSize = 1;

export interface ReplicaSetControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-replicaset-syncs, default 5). */
  workers?: number;
  /** Status-only events (a pod's readiness, the ReplicaSet's own status write) sync a ReplicaSet at most once per this (ms). */
  statusBatchMs?: number;
  onError?: (key: string, err: unknown) => void;
}

/** Default of ReplicaSetControllerOptions.statusBatchMs. */
export const StatusBatchMs = 250;
/** Status-only syncs of a large ReplicaSet wait this long per pod it has, up to MaxStatusBatchMs. */
const StatusBatchMsPerPod = 1;
const MaxStatusBatchMs = 2000;

/**
 * How long a ReplicaSet's status-only events are batched: the base period, longer for large ones
 * (a sync walks every pod of the ReplicaSet, so at 1,000 pods four syncs a second of each of 150
 * ReplicaSets took a quarter of the server's CPU at 150,000 pods); at most MaxStatusBatchMs.
 */
export function statusBatchPeriod(baseMs: number, rs: Obj | undefined): number {
  if (baseMs <= 0) return baseMs;
  const pods = Math.max(rs?.status?.replicas ?? 0, rs?.spec?.replicas ?? 0);
  return Math.min(Math.max(baseMs, pods * StatusBatchMsPerPod), Math.max(baseMs, MaxStatusBatchMs));
}

export class ReplicaSetController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  readonly expectations: ControllerExpectations;
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly podControl: PodControl;
  private readonly batched: BatchedEnqueue;
  private rsInformer!: Informer;
  private podInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: ReplicaSetControllerOptions = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('replicaset-controller');
    this.expectations = new ControllerExpectations(() => ctx.now());
    this.podControl = new PodControl(this.client, (ns) => ref('Pod', ns), this.events, FieldManager);
    const base = opts.statusBatchMs ?? StatusBatchMs;
    this.batched = new BatchedEnqueue(this.queue, (key) => statusBatchPeriod(base, this.rsInformer.get(key)));
  }

  setup(): void {
    this.rsInformer = this.ctx.informers.informer(ref('ReplicaSet').type);
    this.podInformer = this.ctx.informers.informer(ref('Pod').type);
    this.podInformer.addIndex(PodsByControllerIndex, podControllerIndex);
    this.rsInformer.addHandler({
      add: (rs) => this.enqueue(rs),
      update: (old, cur) => (onlyStatusChanged(old, cur) ? this.batched.add(keyOf(cur)) : this.enqueue(cur)),
      delete: (rs) => { this.expectations.delete(keyOf(rs)); this.batched.forget(keyOf(rs)); this.enqueue(rs); },
    });
    this.podInformer.addHandler({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal,
      onError: this.opts.onError });
  }

  private enqueue(rs: Obj): void { this.queue.add(keyOf(rs)); }

  /**
   * After an observed pod event: sync now when the ReplicaSet may have to act (nothing more is
   * expected), else only its status is out of date and the sync can wait for the batch.
   */
  private enqueueObserved(rs: Obj): void {
    const key = keyOf(rs);
    if (this.expectations.satisfied(key)) this.queue.add(key); else this.batched.add(key);
  }

  /** The ReplicaSet a controllerRef names, if it exists with that uid. */
  private resolveControllerRef(namespace: string, cref: { kind: string; name: string; uid: string } | undefined): Obj | undefined {
    if (!cref || cref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.getByName(namespace, cref.name);
    return rs?.metadata?.uid === cref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private replicaSetsForPod(pod: Obj): Obj[] {
    return this.rsInformer.list(pod.metadata?.namespace ?? '').filter((rs) => {
      const sel = selectorOf(rs);
      return sel !== undefined && !isEverything(rs) && matches(sel, pod.metadata?.labels);
    });
  }

  private addPod(pod: Obj): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    const cref = getControllerOf(pod);
    if (cref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, cref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.enqueueObserved(rs);
      return;
    }
    for (const rs of this.replicaSetsForPod(pod)) this.enqueue(rs);
  }

  private updatePod(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // The kubelet deletes it later; observe the deletion now, so the ReplicaSet replaces it early.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      // A pod that stopped being active needs replacing now; other changes only move the status.
      if (refChanged || labelChanged || isPodActive(old) !== isPodActive(cur)) this.enqueue(rs);
      else this.batched.add(keyOf(rs));
      const minReady = rs.spec?.minReadySeconds ?? 0;
      // Check availability again once the pod has been ready for minReadySeconds.
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.replicaSetsForPod(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Obj): void {
    const rs = this.resolveControllerRef(pod.metadata?.namespace, getControllerOf(pod));
    if (!rs) return;
    const rsKey = keyOf(rs);
    this.expectations.deletionObserved(rsKey, keyOf(pod));
    this.enqueueObserved(rs);
  }

  /** syncReplicaSet. */
  async reconcile(key: string): Promise<Result | void> {
    const rs = this.rsInformer.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = selectorOf(rs);
    if (!selector) return; // an invalid selector cannot be fixed by retrying
    const { namespace } = splitKey(key);
    const candidates = [
      ...this.podInformer.byIndex(PodsByControllerIndex, `${namespace}/${rs.metadata.uid}`),
      ...this.podInformer.byIndex(PodsByControllerIndex, `${namespace}/`),
    ];
    const pods = await claimObjects(filterActivePods(candidates), {
      client: this.client, ref: ref('Pod', namespace), controller: rs,
      controllerRef: newControllerRef(rs, 'apps/v1', 'ReplicaSet'),
      match: (pod) => matches(selector, pod.metadata?.labels),
      fetchController: () => this.client.get(ref('ReplicaSet', namespace), rs.metadata.name).catch(() => undefined),
      fieldManager: FieldManager,
    });
    let manageErr: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, rs, key);
      } catch (e) {
        manageErr = e;
      }
    }
    const status = calculateStatus(rs, pods, manageErr, this.ctx.now());
    const updated = await updateReplicaSetStatus(this.client, ref('ReplicaSet', namespace), rs, status, FieldManager);
    if (manageErr) throw manageErr;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const replicas = updated.spec?.replicas ?? 1;
    // Resync after minReadySeconds as a last line of defense against clock skew (as upstream).
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) === replicas && (updated.status?.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  /** manageReplicas: create or delete pods so that `pods` (active, claimed) reaches spec.replicas. */
  private async manageReplicas(pods: Obj[], rs: Obj, key: string): Promise<void> {
    const namespace = rs.metadata.namespace;
    const want = rs.spec?.replicas ?? 1;
    let diff = pods.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, BurstReplicas);
      this.expectations.expectCreations(key, diff);
      const cref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
      const { successes, error } = await slowStartBatch(diff, SlowStartInitialBatchSize,
        () => this.podControl.createPod(namespace, rs.spec.template, rs, cref));
      // Creates never attempted (or failed) will not be observed: stop expecting them.
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff === 0) return;
    diff = Math.min(diff, BurstReplicas);
    const victims = this.podsToDelete(pods, rs, diff);
    this.expectations.expectDeletions(key, victims.map(keyOf));
    const results = await Promise.allSettled(victims.map(async (pod) => {
      try {
        await this.podControl.deletePod(namespace, pod.metadata.name, rs);
      } catch (e) {
        // The informer will not observe this deletion: stop expecting it.
        this.expectations.deletionObserved(key, keyOf(pod));
        if (!isNotFound(e)) throw e;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** getPodsToDelete: the first `diff` pods in ActivePodsWithRanks order (ranked by colocated related pods). */
  private podsToDelete(pods: Obj[], rs: Obj, diff: number): Obj[] {
    if (diff >= pods.length) return pods.slice(0, diff);
    const onNode = new Map<string, number>();
    for (const pod of this.relatedPods(rs)) {
      if (!isPodActive(pod)) continue;
      const node = pod.spec?.nodeName ?? '';
      onNode.set(node, (onNode.get(node) ?? 0) + 1);
    }
    const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
    return rankPodsForDeletion(ranked, this.ctx.now()).slice(0, diff);
  }

  /** getIndirectlyRelatedPods: pods of every ReplicaSet with the same controller as rs (or rs alone). */
  private relatedPods(rs: Obj): Obj[] {
    const ns = rs.metadata.namespace;
    const owner = getControllerOf(rs)?.uid;
    const sets = owner ? this.rsInformer.list(ns).filter((o) => getControllerOf(o)?.uid === owner) : [rs];
    return sets.flatMap((o) => this.podInformer.byIndex(PodsByControllerIndex, `${ns}/${o.metadata.uid}`));
  }
}

/** The ReplicaSet's selector, or undefined when it cannot be parsed. */
function selectorOf(rs: Obj): Selector | undefined {
  try {
    return fromLabelSelector(rs.spec?.selector);
  } catch {
    return undefined;
  }
}

const isEverything = (rs: Obj) => {
  const s = rs.spec?.selector;
  return s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
};
