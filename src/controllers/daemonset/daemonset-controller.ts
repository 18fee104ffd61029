/**
 * @module The DaemonSet controller (kube-controller-manager's "daemonset"): one pod per eligible
 * node, pinned with a metadata.name node affinity for the scheduler to bind; ControllerRevisions
 * and RollingUpdate (maxUnavailable / maxSurge) or OnDelete; status counts.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import type { Obj } from '../../client/client.js';
import { runWorkers, type Reconciler, type Result } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import {
  ControllerRevisionHashLabel, createControllerRevision, findEqualRevisions, newControllerRevision, nextRevision, sortRevisions,
} from '../controller-utils/controller-history.js';
import { claimObjects, getControllerOf, newControllerRef } from '../controller-utils/controller-ref.js';
import { ControllerExpectations } from '../controller-utils/expectations.js';
import { PodControl } from '../controller-utils/pod-template.js';
import { isPodAvailable, isPodReady } from '../controller-utils/pods.js';
import { slowStartBatch } from '../replicaset/slow-start.js';
import { addDaemonPodTolerations, byCreationTimestampAndPhase, nodeShouldRunDaemonPod, pinToNode, targetNodeName } from './daemon-util.js';
import { rollingUpdate } from './rolling-update.js';

export const Name = 'daemonset';
export const FieldManager = 'kube-controller-manager';
/** BurstReplicas: at most this many creates or deletes per sync. */
export const BurstReplicas = 250;
export const FailedDaemonPodReason = 'FailedDaemonPod';
const PodsByDaemonSetIndex = 'tugboat.dev/daemonset-uid';

export class DaemonSetController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  readonly expectations: ControllerExpectations;
  private readonly events: EventSink;
  private readonly podControl: PodControl;
  private dsInformer!: Informer;
  private podInformer!: Informer;
  private nodeInformer!: Informer;
  private revInformer!: Informer;

  constructor(private ctx: ControllerContext, private opts: { workers?: number; onError?: (key: string, err: unknown) => void } = {}) {
    this.events = ctx.recorder('daemonset-controller');
    this.expectations = new ControllerExpectations(() => ctx.now());
    this.podControl = new PodControl(ctx.client, (ns) => ref('Pod', ns), this.events, FieldManager);
  }

  setup(): void {
    this.dsInformer = this.ctx.informers.informer(ref('DaemonSet').type);
    this.podInformer = this.ctx.informers.informer(ref('Pod').type);
    this.nodeInformer = this.ctx.informers.informer(ref('Node').type);
    this.revInformer = this.ctx.informers.informer(ref('ControllerRevision').type);
    this.podInformer.addIndex(PodsByDaemonSetIndex, (p) => {
      const c = getControllerOf(p);
      return c?.kind === 'DaemonSet' ? [`${p.metadata?.namespace}/${c.uid}`] : [];
    });
    this.dsInformer.addHandler({
      add: (ds) => this.queue.add(keyOf(ds)),
      update: (_o, ds) => this.queue.add(keyOf(ds)),
      delete: (ds) => this.expectations.delete(keyOf(ds)),
    });
    const podEvent = (pod: Obj, created: boolean, deleted = false) => {
      const ds = this.ownerOf(pod);
      if (ds) {
        if (created) this.expectations.creationObserved(keyOf(ds));
        if (deleted || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
        this.queue.add(keyOf(ds));
        return;
      }
      if (getControllerOf(pod)) return;
      for (const d of this.dsInformer.list(pod.metadata.namespace)) if (selects(d, pod)) this.queue.add(keyOf(d));
    };
    this.podInformer.addHandler({
      add: (p) => podEvent(p, true),
      update: (old, cur) => { if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) podEvent(cur, false); },
      delete: (p) => podEvent(p, false, true),
    });
    // Any node change may change where daemon pods belong.
    const all = () => { for (const d of this.dsInformer.list()) this.queue.add(keyOf(d)); };
    this.nodeInformer.addHandler({ add: all, update: (o, c) => { if (nodeChanged(o, c)) all(); }, delete: all });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 2, signal, onError: this.opts.onError });
  }

  private ownerOf(pod: Obj): Obj | undefined {
    const c = getControllerOf(pod);
    if (c?.kind !== 'DaemonSet') return undefined;
    const ds = this.dsInformer.getByName(pod.metadata.namespace, c.name);
    return ds?.metadata?.uid === c.uid ? ds : undefined;
  }

  /** syncDaemonSet. */
  async reconcile(key: string): Promise<Result | void> {
    const shared = this.dsInformer.get(key);
    if (!shared) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(shared);
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodeInformer.list();
    const { cur, old, collisionCount } = await this.constructHistory(ds);
    const hash: string = cur.metadata.labels[ControllerRevisionHashLabel];
    const nodeToPods = await this.nodesToDaemonPods(ds);
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, nodes, nodeToPods, hash, false, collisionCount);
    let err: unknown;
    try {
      await this.manage(ds, nodes, nodeToPods, hash);
      if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const r = await rollingUpdate({ ds, nodes, nodeToPods, hash, now: this.ctx.now() });
        await this.syncNodes(ds, r.podsToDelete, r.nodesToCreate, hash);
      }
      await this.cleanupHistory(ds, old, nodeToPods);
    } catch (e) {
      err = e;
    }
    const r = await this.updateStatus(ds, nodes, await this.nodesToDaemonPods(ds), hash, true, collisionCount);
    if (err) throw err;
    return r;
  }

  /** getNodesToDaemonPods: the claimed pods grouped by the node they run on or are pinned to. */
  private async nodesToDaemonPods(ds: Obj): Promise<Map<string, Obj[]>> {
    const ns = ds.metadata.namespace;
    const candidates = [
      ...this.podInformer.byIndex(PodsByDaemonSetIndex, `${ns}/${ds.metadata.uid}`),
      ...this.podInformer.list(ns).filter((p) => !getControllerOf(p) && selects(ds, p)),
    ];
    const pods = await claimObjects(candidates, {
      client: this.ctx.client, ref: ref('Pod', ns), controller: ds, controllerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'),
      match: (p) => selects(ds, p),
      fetchController: () => this.ctx.client.get(ref('DaemonSet', ns), ds.metadata.name).catch(() => undefined),
      fieldManager: FieldManager,
    });
    const out = new Map<string, Obj[]>();
    for (const p of pods) {
      // Terminal pods being deleted are for the kubelet and the pod GC to finish.
      if (p.metadata.deletionTimestamp && (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')) continue;
      const node = targetNodeName(p);
      if (node === undefined) continue;
      out.set(node, [...(out.get(node) ?? []), p]);
    }
    return out;
  }

  /** manage: creates missing pods, deletes failed, excess and misplaced ones (podsShouldBeOnNode per node). */
  private async manage(ds: Obj, nodes: Obj[], nodeToPods: Map<string, Obj[]>, hash: string): Promise<void> {
    const create: string[] = [], del: string[] = [];
    const surge = allowsSurge(ds);
    for (const node of nodes) {
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(node.metadata.name) ?? [];
      if (shouldRun && pods.length === 0) {
        create.push(node.metadata.name);
      } else if (shouldContinue) {
        const running: Obj[] = [];
        for (const p of pods) {
          if (p.metadata.deletionTimestamp) continue;
          if (p.status?.phase === 'Failed') {
            this.events.event(ds, 'Warning', FailedDaemonPodReason,
              `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${node.metadata.name}, will try to kill it`);
            del.push(p.metadata.name);
          } else if (p.status?.phase === 'Succeeded') del.push(p.metadata.name);
          else running.push(p);
        }
        running.sort(byCreationTimestampAndPhase);
        if (!surge) {
          del.push(...running.slice(1).map((p) => p.metadata.name));
        } else if (running.length === 0) {
          if (shouldRun) create.push(node.metadata.name);
        } else if (running.length > 1) {
          // Surging: keep the oldest new and oldest old pod; the old one goes once the new one is available.
          let oldestNew: Obj | undefined, oldestOld: Obj | undefined;
          for (const p of running) {
            const isNew = p.metadata.labels?.[ControllerRevisionHashLabel] === hash;
            if (isNew && !oldestNew) oldestNew = p;
            else if (!isNew && !oldestOld) oldestOld = p;
            else del.push(p.metadata.name);
          }
          if (oldestNew && oldestOld &&
            (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, this.ctx.now()))) {
            del.push(oldestOld.metadata.name);
          }
        }
      } else {
        for (const p of pods) if (!p.metadata.deletionTimestamp) del.push(p.metadata.name);
      }
    }
    // Pending pods pinned to nodes that no longer exist.
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const [node, pods] of nodeToPods) {
      if (names.has(node)) continue;
      for (const p of pods) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp) del.push(p.metadata.name);
    }
    await this.syncNodes(ds, del, create, hash);
  }

  /** syncNodes: deletes pods by name and creates one pod per node, pinned there, recording expectations. */
  private async syncNodes(ds: Obj, podsToDelete: string[], nodesToCreate: string[], hash: string): Promise<void> {
    const key = keyOf(ds);
    const ns = ds.metadata.namespace;
    const creates = nodesToCreate.slice(0, BurstReplicas);
    const deletes = podsToDelete.slice(0, BurstReplicas);
    if (creates.length) this.expectations.expectCreations(key, creates.length);
    else if (deletes.length) this.expectations.expectDeletions(key, deletes.map((n) => `${ns}/${n}`));
    const template = structuredClone(ds.spec.template);
    addDaemonPodTolerations(template.spec);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [ControllerRevisionHashLabel]: hash } };
    const cref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const queue = [...creates];
    const { successes, error } = await slowStartBatch(creates.length, 1, () => {
      const node = queue.shift()!;
      const t = structuredClone(template);
      pinToNode(t.spec, node);
      return this.podControl.createPod(ns, t, ds, cref);
    });
    for (let i = successes; i < creates.length; i++) this.expectations.creationObserved(key);
    let deleteError: unknown;
    await Promise.all(deletes.map(async (name) => {
      try {
        await this.podControl.deletePod(ns, name, ds);
      } catch (e) {
        this.expectations.deletionObserved(key, `${ns}/${name}`);
        if (!isNotFound(e)) deleteError ??= e;
      }
    }));
    if (error ?? deleteError) throw error ?? deleteError;
  }

  /** constructHistory: the revision of the current template (created or renumbered as needed) and the others. */
  private async constructHistory(ds: Obj): Promise<{ cur: Obj; old: Obj[]; collisionCount: number }> {
    const revisions = this.revInformer.list(ds.metadata.namespace).filter((r) => getControllerOf(r)?.uid === ds.metadata.uid);
    const collision = { count: ds.status?.collisionCount ?? 0 };
    const probe = newControllerRevision(ds, 'apps/v1', 'DaemonSet', 0, collision.count);
    const equal = sortRevisions(findEqualRevisions(revisions, probe));
    const old = revisions.filter((r) => !equal.includes(r));
    const currRevision = nextRevision(old);
    const client = this.ctx.client;
    const revs = ref('ControllerRevision', ds.metadata.namespace);
    let cur: Obj;
    if (equal.length === 0) {
      cur = await createControllerRevision(client, ds, { ...probe, revision: currRevision }, collision, FieldManager);
    } else {
      cur = equal[equal.length - 1]!;
      // dedupCurHistories: duplicates of the current revision (a race) go.
      for (const dup of equal.slice(0, -1)) await client.delete(revs, dup.metadata.name).catch((e) => { if (!isNotFound(e)) throw e; });
      if ((cur.revision ?? 0) < currRevision) {
        cur = await client.update(revs, { ...structuredClone(cur), revision: currRevision }, { fieldManager: FieldManager });
      }
    }
    return { cur, old, collisionCount: collision.count };
  }

  /** cleanupHistory: keeps revisionHistoryLimit old revisions not used by any live pod. */
  private async cleanupHistory(ds: Obj, old: Obj[], nodeToPods: Map<string, Obj[]>): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const pods of nodeToPods.values()) for (const p of pods) live.add(p.metadata.labels?.[ControllerRevisionHashLabel]);
    const unused = sortRevisions(old).filter((r) => !live.has(r.metadata.labels?.[ControllerRevisionHashLabel]));
    const revs = ref('ControllerRevision', ds.metadata.namespace);
    for (const r of unused.slice(0, old.length - limit)) {
      await this.ctx.client.delete(revs, r.metadata.name).catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }

  /** updateDaemonSetStatus: counts per eligible node (the oldest daemon pod of each node counts). */
  private async updateStatus(ds: Obj, nodes: Obj[], nodeToPods: Map<string, Obj[]>, hash: string, observed: boolean,
    collisionCount: number): Promise<Result | void> {
    const now = this.ctx.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
    for (const node of nodes) {
      const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
      const pods = (nodeToPods.get(node.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (!shouldRun) {
        if (pods.length) misscheduled++;
        continue;
      }
      desired++;
      if (!pods.length) continue;
      current++;
      const pod = [...pods].sort(byCreationTimestampAndPhase)[0]!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (pod.metadata.labels?.[ControllerRevisionHashLabel] === hash) updated++;
    }
    const status: Obj = {
      currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready,
      observedGeneration: observed ? ds.metadata.generation : ds.status?.observedGeneration,
    };
    if (updated) status.updatedNumberScheduled = updated;
    if (available) status.numberAvailable = available;
    if (desired - available) status.numberUnavailable = desired - available;
    if (collisionCount) status.collisionCount = collisionCount;
    if (ds.status?.conditions) status.conditions = ds.status.conditions;
    if (status.observedGeneration === undefined) delete status.observedGeneration;
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
      await this.ctx.client.updateStatus(ref('DaemonSet', ds.metadata.namespace), { ...ds, status }, { fieldManager: FieldManager });
    }
    // Look again once ready pods have been ready for minReadySeconds.
    if (minReady > 0 && ready !== available) return { requeueAfterMs: minReady * 1000 };
  }
}

const selects = (ds: Obj, pod: Obj): boolean => {
  try {
    return matches(fromLabelSelector(ds.spec?.selector), pod.metadata?.labels);
  } catch {
    return false;
  }
};

/** util.AllowsSurge: RollingUpdate with a non-zero maxSurge. */
export function allowsSurge(ds: Obj): boolean {
  const ru = ds.spec?.updateStrategy;
  if ((ru?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const s = ru?.rollingUpdate?.maxSurge;
  return s !== undefined && s !== 0 && s !== '0%' && s !== '0';
}

/** Node changes that matter to daemon placement: labels, taints, unschedulable, readiness. */
function nodeChanged(a: Obj, b: Obj): boolean {
  return JSON.stringify([a.metadata?.labels, a.spec?.taints, a.spec?.unschedulable]) !==
    JSON.stringify([b.metadata?.labels, b.spec?.taints, b.spec?.unschedulable]);
}
