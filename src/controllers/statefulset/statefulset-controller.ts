/**
 * @module The StatefulSet controller (kube-controller-manager's "statefulset"): stable pods
 * `<set>-<n>` with their claims, created in order and waiting for each to be Running and Ready
 * (OrderedReady) or all at once (Parallel), removed highest first, rolled highest first down to
 * the partition; ControllerRevisions and status.
 */
import { isAlreadyExists, isNotFound } from '../../apimachinery/errors.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import {
  createControllerRevision, findEqualRevisions, newControllerRevision, nextRevision, sortRevisions,
} from '../controller-utils/controller-history.js';
import { claimObjects, getControllerOf, newControllerRef } from '../controller-utils/controller-ref.js';
import { isPodAvailable } from '../controller-utils/pods.js';
import {
  claimsFor, isCreated, isFinished, isRunningAndReady, isTerminating, newStatefulSetPod, ordinalOf, podRevision, setAtRevision,
  startOrdinal,
} from './stateful-set-utils.js';

export const Name = 'statefulset';
const FieldManager = 'kube-controller-manager';
const PodsBySetIndex = 'tugboat.dev/statefulset-uid';

export class StatefulSetController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly events: EventSink;
  private setInformer!: Informer;
  private podInformer!: Informer;
  private revInformer!: Informer;
  private pvcInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: { workers?: number; onError?: (key: string, err: unknown) => void } = {}) {
    this.events = ctx.recorder('statefulset-controller');
  }

  setup(): void {
    this.setInformer = this.ctx.informers.informer(ref('StatefulSet').type);
    this.podInformer = this.ctx.informers.informer(ref('Pod').type);
    this.revInformer = this.ctx.informers.informer(ref('ControllerRevision').type);
    this.pvcInformer = this.ctx.informers.informer(ref('PersistentVolumeClaim').type);
    this.podInformer.addIndex(PodsBySetIndex, (p) => {
      const c = getControllerOf(p);
      return c?.kind === 'StatefulSet' ? [`${p.metadata?.namespace}/${c.uid}`] : [];
    });
    this.setInformer.addHandler({ add: (s) => this.queue.add(keyOf(s)), update: (_o, s) => this.queue.add(keyOf(s)) });
    const podEvent = (pod: Obj) => {
      const c = getControllerOf(pod);
      if (c?.kind === 'StatefulSet') {
        const set = this.setInformer.getByName(pod.metadata.namespace, c.name);
        if (set?.metadata?.uid === c.uid) this.queue.add(keyOf(set));
        return;
      }
      if (c) return;
      for (const s of this.setInformer.list(pod.metadata.namespace)) if (selects(s, pod)) this.queue.add(keyOf(s));
    };
    this.podInformer.addHandler({ add: podEvent, update: (o, c) => { if (o.metadata.resourceVersion !== c.metadata.resourceVersion) podEvent(c); },
      delete: podEvent });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal, onError: this.opts.onError });
  }

  /** sync → UpdateStatefulSet: revisions, pods, status. */
  async reconcile(key: string): Promise<Result | void> {
    const shared = this.setInformer.get(key);
    if (!shared) return;
    const set = structuredClone(shared);
    const pods = await this.podsFor(set);
    const { current, update, collisionCount } = await this.revisions(set);
    let err: unknown;
    try {
      await this.updatePods(set, pods, current, update);
    } catch (e) {
      err = e;
    }
    const fresh = await this.podsFor(set);
    const r = await this.updateStatus(set, fresh, current, update, collisionCount);
    if (err) throw err;
    return r;
  }

  private async podsFor(set: Obj): Promise<Obj[]> {
    const ns = set.metadata.namespace;
    const candidates = [
      ...this.podInformer.byIndex(PodsBySetIndex, `${ns}/${set.metadata.uid}`),
      ...this.podInformer.list(ns).filter((p) => !getControllerOf(p) && selects(set, p)),
    ];
    // A set only claims pods whose names are its own ordinals (isMemberOf).
    return claimObjects(candidates, {
      client: this.ctx.client, ref: ref('Pod', ns), controller: set, controllerRef: newControllerRef(set, 'apps/v1', 'StatefulSet'),
      match: (p) => selects(set, p) && ordinalOf(set, p) >= 0,
      fetchController: () => this.ctx.client.get(ref('StatefulSet', ns), set.metadata.name).catch(() => undefined),
      fieldManager: FieldManager,
    });
  }

  /** getStatefulSetRevisions: the update revision (the current template) and the current one (status.currentRevision). */
  private async revisions(set: Obj): Promise<{ current: Obj; update: Obj; collisionCount: number }> {
    const ns = set.metadata.namespace;
    const owned = sortRevisions(this.revInformer.list(ns).filter((r) => getControllerOf(r)?.uid === set.metadata.uid));
    const collision = { count: set.status?.collisionCount ?? 0 };
    const probe = newControllerRevision(set, 'apps/v1', 'StatefulSet', nextRevision(owned), collision.count);
    const equal = findEqualRevisions(owned, probe);
    let update: Obj;
    if (equal.length && equal[equal.length - 1]!.metadata.name === owned[owned.length - 1]!.metadata.name) {
      update = equal[equal.length - 1]!;
    } else if (equal.length) {
      // Rolled back to an older template: it becomes the newest revision.
      update = await this.ctx.client.update(ref('ControllerRevision', ns),
        { ...structuredClone(equal[equal.length - 1]!), revision: probe.revision }, { fieldManager: FieldManager });
    } else {
      update = await createControllerRevision(this.ctx.client, set, probe, collision, FieldManager);
    }
    const current = owned.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    await this.truncateHistory(set, owned, current, update);
    return { current, update, collisionCount: collision.count };
  }

  /** truncateHistory: keeps revisionHistoryLimit revisions besides the current, update and live ones. */
  private async truncateHistory(set: Obj, owned: Obj[], current: Obj, update: Obj): Promise<void> {
    const live = new Set(this.podInformer.byIndex(PodsBySetIndex, `${set.metadata.namespace}/${set.metadata.uid}`).map(podRevision));
    const old = owned.filter((r) => r.metadata.name !== current.metadata.name && r.metadata.name !== update.metadata.name &&
      !live.has(r.metadata.name));
    const excess = old.length - (set.spec?.revisionHistoryLimit ?? 10);
    for (const r of old.slice(0, Math.max(0, excess))) {
      await this.ctx.client.delete(ref('ControllerRevision', set.metadata.namespace), r.metadata.name).catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }

  /** The per-pod loop of updateStatefulSet: create, replace finished, scale down, roll. */
  private async updatePods(set: Obj, pods: Obj[], current: Obj, update: Obj): Promise<void> {
    if (set.metadata.deletionTimestamp) return;
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const replicaCount = set.spec?.replicas ?? 1;
    const start = startOrdinal(set);
    const replicas: (Obj | undefined)[] = Array.from({ length: replicaCount });
    const condemned: Obj[] = [];
    for (const p of pods) {
      const ord = ordinalOf(set, p);
      if (ord >= start && ord < start + replicaCount) replicas[ord - start] = p;
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    const currentSet = setAtRevision(set, current), updateSet = setAtRevision(set, update);
    const minReady = set.spec?.minReadySeconds ?? 0;
    const healthy = (p: Obj) => isRunningAndReady(p) && !isTerminating(p) && isPodAvailable(p, minReady, this.ctx.now());
    for (let i = 0; i < replicaCount; i++) {
      const ord = start + i;
      let pod = replicas[i];
      if (pod && isFinished(pod) && !isTerminating(pod)) {
        // A failed or succeeded member is deleted and recreated.
        await this.deletePod(set, pod);
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        pod = this.newVersionedPod(currentSet, updateSet, current, update, ord);
        await this.createClaims(set, pod, ord);
        await this.createPod(set, pod);
        if (monotonic) return;
        continue;
      }
      // OrderedReady: the next ordinal waits for this one to be Running and Ready (and available).
      if (monotonic && (isTerminating(pod) || !isCreated(pod) || !healthy(pod))) return;
    }
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      // Scale down only a healthy set (or the first unhealthy pod, which is this one).
      if (monotonic && replicas.some((p) => p && !healthy(p))) return;
      await this.deletePod(set, pod, true);
      if (monotonic) return;
    }
    const strategy = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let i = replicaCount - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return;
      if (podRevision(pod) !== update.metadata.name && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        return;
      }
      // One at a time: wait for the replaced pod to be healthy.
      if (!healthy(pod)) return;
    }
  }

  /** newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
  private newVersionedPod(currentSet: Obj, updateSet: Obj, current: Obj, update: Obj, ord: number): Obj {
    const ru = currentSet.spec?.updateStrategy;
    const partition = ru?.rollingUpdate?.partition;
    const keepCurrent = (ru?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      (partition === undefined ? ord < startOrdinal(currentSet) + (currentSet.status?.currentReplicas ?? 0) : ord < startOrdinal(currentSet) + partition);
    return keepCurrent ? newStatefulSetPod(currentSet, ord, current.metadata.name) : newStatefulSetPod(updateSet, ord, update.metadata.name);
  }

  /** createPersistentVolumeClaims: each missing claim of the ordinal, with its event. */
  private async createClaims(set: Obj, pod: Obj, ord: number): Promise<void> {
    const ns = set.metadata.namespace;
    for (const claim of claimsFor(set, ord)) {
      if (this.pvcInformer.getByName(ns, claim.metadata.name)) continue;
      try {
        await this.ctx.client.create(ref('PersistentVolumeClaim', ns), claim, { fieldManager: FieldManager });
        this.events.event(set, 'Normal', 'SuccessfulCreate',
          `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        this.events.event(set, 'Warning', 'FailedCreate',
          `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  private async createPod(set: Obj, pod: Obj): Promise<void> {
    try {
      await this.ctx.client.create(ref('Pod', set.metadata.namespace), pod, { fieldManager: FieldManager });
    } catch (e) {
      if (isAlreadyExists(e)) return;
      this.events.event(set, 'Warning', 'FailedCreate',
        `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
    this.events.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** Deletes a pod; on scale-down with whenScaled: Delete its claims first become the pod's dependents (the GC removes them). */
  private async deletePod(set: Obj, pod: Obj, scaleDown = false): Promise<void> {
    const ns = set.metadata.namespace;
    if (scaleDown && set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
      for (const claim of claimsFor(set, ordinalOf(set, pod))) {
        const patch = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }] } };
        await this.ctx.client.patch(ref('PersistentVolumeClaim', ns), claim.metadata.name, 'strategic', patch, { fieldManager: FieldManager })
          .catch((e) => { if (!isNotFound(e)) throw e; });
      }
    }
    try {
      await this.ctx.client.delete(ref('Pod', ns), pod.metadata.name, { fieldManager: FieldManager });
    } catch (e) {
      if (isNotFound(e)) return;
      this.events.event(set, 'Warning', 'FailedDelete',
        `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
    this.events.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** computeReplicaStatus plus completeRollingUpdate; written only when it changed. */
  private async updateStatus(set: Obj, pods: Obj[], current: Obj, update: Obj, collisionCount: number): Promise<Result | void> {
    const now = this.ctx.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    let replicas = 0, ready = 0, available = 0, currentReplicas = 0, updated = 0;
    for (const p of pods) {
      if (isCreated(p)) replicas++;
      if (isRunningAndReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady, now)) available++;
      }
      if (isCreated(p) && !isTerminating(p)) {
        if (podRevision(p) === current.metadata.name) currentReplicas++;
        if (podRevision(p) === update.metadata.name) updated++;
      }
    }
    let currentRevision = current.metadata.name;
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && updated === replicas && ready === replicas) {
      currentRevision = update.metadata.name;
      currentReplicas = updated;
    }
    const status: Obj = { observedGeneration: set.metadata.generation, replicas };
    if (ready) status.readyReplicas = ready;
    if (currentReplicas) status.currentReplicas = currentReplicas;
    if (updated) status.updatedReplicas = updated;
    status.currentRevision = currentRevision;
    status.updateRevision = update.metadata.name;
    status.collisionCount = collisionCount;
    status.availableReplicas = available;
    if (JSON.stringify(status) !== JSON.stringify(set.status ?? {})) {
      await this.ctx.client.updateStatus(ref('StatefulSet', set.metadata.namespace), { ...set, status }, { fieldManager: FieldManager });
    }
    if (minReady > 0 && ready !== available) return { requeueAfterMs: minReady * 1000 };
  }
}

const selects = (set: Obj, pod: Obj): boolean => {
  try {
    return matches(fromLabelSelector(set.spec?.selector), pod.metadata?.labels);
  } catch {
    return false;
  }
};
