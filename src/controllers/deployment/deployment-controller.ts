/**
 * @module The Deployment controller (kube-controller-manager's "deployment"): claims
 * ReplicaSets by selector and rolls the template out with the RollingUpdate or Recreate strategy;
 * scaling and paused Deployments only resize. Status and conditions as Kubernetes reports them.
 */
import { fromLabelSelector, matches, type Selector } from '../../apimachinery/labels/index.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { BatchedEnqueue, onlyStatusChanged } from '../controller-utils/batched-enqueue.js';
import { setCondition } from '../controller-utils/conditions.js';
import {
  claimObjects, getControllerOf, newControllerRef, podControllerIndex, PodsByControllerIndex,
} from '../controller-utils/controller-ref.js';
import { getCondition } from '../controller-utils/conditions.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { DeploymentSync, FieldManager, newCondition } from './sync.js';
import {
  desiredReplicasAnnotation, DeploymentProgressing, filterActive, hasProgressDeadline, PausedDeployReason, replicasOf,
  ResumedDeployReason, TimedOutReason,
} from './util.js';

export const Name = 'deployment';
export const SelectingAllReason = 'SelectingAll';

export interface DeploymentControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-deployment-syncs, default 5). */
  workers?: number;
  /** Status-only events (its ReplicaSets' or its own status writes) sync a Deployment at most once per this (ms). */
  statusBatchMs?: number;
  onError?: (key: string, err: unknown) => void;
}

/** Default of DeploymentControllerOptions.statusBatchMs. */
export const StatusBatchMs = 250;

export class DeploymentController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private dInformer!: Informer;
  private rsInformer!: Informer;
  private podInformer!: Informer;
  private sync!: DeploymentSync;
  private readonly batched: BatchedEnqueue;

  constructor(private ctx: ControllerContext, private opts: DeploymentControllerOptions = {}) {
    this.batched = new BatchedEnqueue(this.queue, opts.statusBatchMs ?? StatusBatchMs);
  }

  setup(): void {
    this.dInformer = this.ctx.informers.informer(ref('Deployment').type);
    this.rsInformer = this.ctx.informers.informer(ref('ReplicaSet').type);
    this.podInformer = this.ctx.informers.informer(ref('Pod').type);
    this.podInformer.addIndex(PodsByControllerIndex, podControllerIndex);
    this.sync = new DeploymentSync({
      client: this.ctx.client, events: this.ctx.recorder('deployment-controller'), now: () => this.ctx.now(),
      replicaSets: this.rsInformer,
      requeue: (d, ms) => (ms <= 0 ? this.queue.addRateLimited(keyOf(d)) : this.queue.addAfter(keyOf(d), ms)),
    });
    this.dInformer.addHandler({
      add: (d) => this.enqueue(d),
      update: (old, cur) => (onlyStatusChanged(old, cur) ? this.batched.add(keyOf(cur)) : this.enqueue(cur)),
      delete: (d) => { this.batched.forget(keyOf(d)); this.enqueue(d); },
    });
    this.rsInformer.addHandler({
      add: (rs) => this.onReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.onReplicaSet(rs),
    });
    // Recreate waits for old pods to be gone: their deletion is what lets it continue.
    this.podInformer.addHandler({ delete: (pod) => this.deletePod(pod) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal,
      onError: this.opts.onError });
  }

  private enqueue(d: Obj): void { this.queue.add(keyOf(d)); }

  private resolveControllerRef(namespace: string, cref: { kind: string; name: string; uid: string } | undefined): Obj | undefined {
    if (!cref || cref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.getByName(namespace, cref.name);
    return d?.metadata?.uid === cref.uid ? d : undefined;
  }

  private deploymentsForReplicaSet(rs: Obj): Obj[] {
    return this.dInformer.list(rs.metadata?.namespace ?? '').filter((d) => {
      const sel = selectorOf(d);
      return sel !== undefined && !selectsAll(d) && matches(sel, rs.metadata?.labels);
    });
  }

  private onReplicaSet(rs: Obj): void {
    const cref = getControllerOf(rs);
    if (cref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, cref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      if (!refChanged && onlyStatusChanged(old, cur)) {
        const d = this.resolveControllerRef(cur.metadata.namespace, curRef);
        if (d) this.batched.add(keyOf(d));
        return;
      }
      return this.onReplicaSet(cur);
    }
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
  }

  private deletePod(pod: Obj): void {
    const rsRef = getControllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.getByName(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  /** syncDeployment. */
  async reconcile(key: string): Promise<Result | void> {
    const cached = this.dInformer.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const s = this.sync;
    const events = this.ctx.recorder('deployment-controller');
    if (selectsAll(d)) {
      events.event(d, 'Warning', SelectingAllReason, 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < d.metadata.generation) {
        (d.status ??= {}).observedGeneration = d.metadata.generation;
        await s.updateStatus(d);
      }
      return;
    }
    const selector = selectorOf(d);
    if (!selector) return;
    const rsList = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) {
      const [newRS, oldRSs] = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
      return s.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
    }
    await this.checkPausedConditions(d);
    if (d.spec.paused) return s.sync(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return s.sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return rolloutRecreate(s, d, rsList, this.podsByReplicaSet(d, selector, rsList));
    return rolloutRolling(s, d, rsList);
  }

  /** getReplicaSetsForDeployment: adopt and release by selector, as ControllerRefManager. */
  private claimReplicaSets(d: Obj, selector: Selector): Promise<Obj[]> {
    const { namespace } = splitKey(keyOf(d));
    return claimObjects(this.rsInformer.list(namespace), {
      client: this.ctx.client, ref: ref('ReplicaSet', namespace), controller: d,
      controllerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      match: (rs) => matches(selector, rs.metadata?.labels),
      fetchController: () => this.ctx.client.get(ref('Deployment', namespace), d.metadata.name).catch(() => undefined),
      fieldManager: FieldManager,
    });
  }

  /** getPodMapForDeployment: the Deployment's pods by the uid of their ReplicaSet (terminating ones too). */
  private podsByReplicaSet(d: Obj, selector: Selector, rsList: Obj[]): Map<string, Obj[]> {
    const out = new Map<string, Obj[]>();
    for (const rs of rsList) {
      const pods = this.podInformer.byIndex(PodsByControllerIndex, `${d.metadata.namespace}/${rs.metadata.uid}`)
        .filter((p) => matches(selector, p.metadata?.labels));
      out.set(rs.metadata.uid, pods);
    }
    return out;
  }

  /** checkPausedConditions: Progressing Unknown/DeploymentPaused or DeploymentResumed, never over a timeout. */
  private async checkPausedConditions(d: Obj): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status?.conditions, DeploymentProgressing);
    if (cond?.reason === TimedOutReason) return;
    const pausedCond = cond?.reason === PausedDeployReason;
    const now = this.ctx.now();
    if (d.spec.paused && !pausedCond) {
      setCondition((d.status ??= {}), newCondition(now, DeploymentProgressing, 'Unknown', PausedDeployReason, 'Deployment is paused'));
    } else if (!d.spec.paused && pausedCond) {
      setCondition((d.status ??= {}), newCondition(now, DeploymentProgressing, 'Unknown', ResumedDeployReason, 'Deployment is resumed'));
    } else return;
    await this.sync.updateStatus(d);
  }

  /** isScalingEvent: an active ReplicaSet was annotated with a different desired size than spec.replicas. */
  private async isScalingEvent(d: Obj, rsList: Obj[]): Promise<boolean> {
    const [newRS, oldRSs] = await this.sync.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicasOf(d);
    });
  }
}

function selectorOf(d: Obj): Selector | undefined {
  try {
    return fromLabelSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

/** An empty (non-nil) selector selects every pod: upstream refuses to act on it. */
const selectsAll = (d: Obj) => {
  const s = d.spec?.selector;
  return !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
};
