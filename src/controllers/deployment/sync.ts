/**
 * @module The Deployment controller's shared steps (upstream sync.go): finding or creating the new
 * ReplicaSet (pod-template-hash, revision annotations, collisions), scaling ReplicaSets with the
 * ScalingReplicaSet event, proportional scaling, history cleanup, and status.
 */
import { isAlreadyExists, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { EventSink } from '../context.js';
import { type Condition, getCondition, rfc3339, setCondition } from '../controller-utils/conditions.js';
import { getControllerOf, newControllerRef } from '../controller-utils/controller-ref.js';
import { canonicalJSON, computeHash } from '../controller-utils/hash.js';
import {
  availableReplicaCount, actualReplicaCount, bySizeNewer, bySizeOlder, byRevision, DeploymentAvailable,
  type DeploymentStatus, equalIgnoreHash, FailedRSCreateReason, filterActive, findActiveOrLatest, findNewReplicaSet,
  findOldReplicaSets, FoundNewRSReason, hasProgressDeadline, hasRevisionHistoryLimit, isRollingUpdate, isSaturated,
  maxRevision, maxSurge, maxUnavailable, MinimumReplicasAvailable, MinimumReplicasUnavailable, NewReplicaSetReason,
  newRSNewReplicas, PodTemplateHashLabel, readyReplicaCount, replicaCount, replicasAnnotationsNeedUpdate,
  replicaSetProportion, replicasOf, RevisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations,
  DeploymentProgressing,
} from './util.js';

export const FieldManager = 'kube-controller-manager';
export const ScalingReplicaSetReason = 'ScalingReplicaSet';

/** What the sync steps need from the controller. */
export interface SyncDeps {
  client: Client;
  events: EventSink;
  now(): number;
  replicaSets: Informer;
  /** Re-queue the Deployment after ms (ms <= 0: rate-limited, soon). */
  requeue(d: Obj, ms: number): void;
}

const rsRef = (ns: string) => ref('ReplicaSet', ns);
const dRef = (ns: string) => ref('Deployment', ns);

/** A new condition stamped now (NewDeploymentCondition). */
export function newCondition(now: number, type: string, status: Condition['status'], reason: string, message: string): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export class DeploymentSync {
  /** Working copies whose revision annotation changed and is not yet written. */
  private readonly revisionDirty = new WeakSet<Obj>();

  constructor(readonly deps: SyncDeps) {}

  /**
   * Writes d.status, first writing the revision annotation when it changed (the status subresource
   * keeps metadata as it was). `d` is the working copy; its resourceVersion follows the writes.
   */
  async updateStatus(d: Obj): Promise<void> {
    const ns = d.metadata.namespace;
    if (this.revisionDirty.delete(d)) {
      const patched = await this.deps.client.patch(dRef(ns), d.metadata.name, 'merge', { metadata: {
        resourceVersion: d.metadata.resourceVersion, annotations: { [RevisionAnnotation]: d.metadata.annotations[RevisionAnnotation] } } },
      { fieldManager: FieldManager });
      d.metadata.resourceVersion = patched.metadata.resourceVersion;
    }
    const written = await this.deps.client.updateStatus(dRef(ns), d, { fieldManager: FieldManager });
    d.metadata.resourceVersion = written.metadata.resourceVersion;
  }

  /** SetDeploymentRevision; true when it changed (remembered for updateStatus). */
  setDeploymentRevision(d: Obj, revision: string): boolean {
    const ann = (d.metadata.annotations ??= {});
    if (ann[RevisionAnnotation] === revision) return false;
    ann[RevisionAnnotation] = revision;
    this.revisionDirty.add(d);
    return true;
  }

  /** getAllReplicaSetsAndSyncRevision: [newRS (created when asked), all old ReplicaSets]. */
  async getAllReplicaSetsAndSyncRevision(d: Obj, rsList: Obj[], create: boolean): Promise<[Obj | undefined, Obj[]]> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, create);
    return [newRS, oldRSs];
  }

  /** getNewReplicaSet: syncs the existing new ReplicaSet's annotations, or creates it. */
  async getNewReplicaSet(d: Obj, rsList: Obj[], oldRSs: Obj[], create: boolean): Promise<Obj | undefined> {
    const ns = d.metadata.namespace;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyChanged = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.deps.client.update(rsRef(ns), rsCopy, { fieldManager: FieldManager });
      }
      let needsUpdate = this.setDeploymentRevision(d, rsCopy.metadata.annotations?.[RevisionAnnotation] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status?.conditions, DeploymentProgressing)) {
        setCondition((d.status ??= {}), newCondition(this.deps.now(), DeploymentProgressing, 'True', FoundNewRSReason,
          `Found new replica set "${rsCopy.metadata.name}"`));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus(d);
      return rsCopy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [PodTemplateHashLabel]: hash };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [PodTemplateHashLabel]: hash };
    const newRS: Obj = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: template.metadata.labels,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: Obj;
    let alreadyExists = false;
    try {
      created = await this.deps.client.create(rsRef(ns), newRS, { fieldManager: FieldManager });
    } catch (e) {
      if (isAlreadyExists(e)) {
        alreadyExists = true;
        const rs = this.deps.replicaSets.getByName(ns, newRS.metadata.name) ?? await this.deps.client.get(rsRef(ns), newRS.metadata.name);
        if (getControllerOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
          created = rs;
        } else {
          // A hash collision: bump collisionCount so that the next sync computes another name.
          (d.status ??= {}).collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.updateStatus(d);
          throw e;
        }
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition(this.deps.now(), DeploymentProgressing, 'False', FailedRSCreateReason, msg));
          await this.updateStatus(d).catch(() => undefined);
        }
        this.deps.events.event(d, 'Warning', FailedRSCreateReason, msg);
        throw e;
      }
    }
    if (!alreadyExists && count > 0) {
      this.deps.events.event(d, 'Normal', ScalingReplicaSetReason, `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
    }
    let needsUpdate = this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition((d.status ??= {}), newCondition(this.deps.now(), DeploymentProgressing, 'True', NewReplicaSetReason,
        `Created new replica set "${created.metadata.name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus(d);
    return created;
  }

  /** scaleReplicaSetAndRecordEvent: [scaled, the ReplicaSet as written]. */
  async scaleReplicaSetAndRecordEvent(rs: Obj, newScale: number, d: Obj): Promise<[boolean, Obj]> {
    if (replicasOf(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scaleReplicaSet: sets replicas and the replica annotations; ScalingReplicaSet when the size changed. */
  async scaleReplicaSet(rs: Obj, newScale: number, d: Obj, operation: string): Promise<[boolean, Obj]> {
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs];
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const written = await this.deps.client.update(rsRef(rs.metadata.namespace), copy, { fieldManager: FieldManager });
    if (sizeNeedsUpdate) {
      this.deps.events.event(d, 'Normal', ScalingReplicaSetReason,
        `Scaled ${operation} replica set ${written.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return [sizeNeedsUpdate, written];
  }

  /** scale: a scaling event (or a paused Deployment): resize the one active ReplicaSet, or all proportionally. */
  async scale(d: Obj, newRS: Obj | undefined, oldRSs: Obj[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicasOf(d)) await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - replicaCount(all);
    let operation = '';
    if (toAdd > 0) { all.sort(bySizeNewer); operation = 'up'; }
    if (toAdd < 0) { all.sort(bySizeOlder); operation = 'down'; }
    let added = 0;
    const size = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = replicaSetProportion(rs, d, toAdd, added);
        size.set(rs.metadata.name, replicasOf(rs) + p);
        added += p;
      } else size.set(rs.metadata.name, replicasOf(rs));
    }
    for (const [i, rs] of all.entries()) {
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) size.set(rs.metadata.name, Math.max(0, size.get(rs.metadata.name)! + toAdd - added));
      await this.scaleReplicaSet(rs, size.get(rs.metadata.name)!, d, operation);
    }
  }

  /** cleanupDeployment: deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  async cleanupDeployment(oldRSs: Obj[], d: Obj): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      try {
        await this.deps.client.delete(rsRef(rs.metadata.namespace), rs.metadata.name, { fieldManager: FieldManager });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** sync: scaling (and paused Deployments): no rollout, just sizes, cleanup when paused, status. */
  async sync(d: Obj, rsList: Obj[]): Promise<void> {
    const [newRS, oldRSs] = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** syncDeploymentStatus: writes calculateStatus when it differs. */
  async syncDeploymentStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.deps.now());
    if (statusEqual(d.status, status)) return;
    d.status = status;
    await this.updateStatus(d);
  }
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj, now: number): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = structuredClone(d.status.conditions);
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(now, DeploymentAvailable, 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition(now, DeploymentAvailable, 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** Status equality as reflect.DeepEqual sees it (zero counts and absent fields alike). */
export function statusEqual(a: Obj | undefined, b: DeploymentStatus): boolean {
  const norm = (s: Obj | undefined) => {
    const o: Obj = {};
    for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) {
      o[k] = s?.[k] ?? 0;
    }
    o.collisionCount = s?.collisionCount;
    o.conditions = s?.conditions?.length ? s.conditions : undefined;
    return canonicalJSON(o);
  };
  return norm(a) === norm(b);
}
