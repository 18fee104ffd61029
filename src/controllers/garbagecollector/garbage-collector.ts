/**
 * @module The garbage collector (kube-controller-manager's "garbagecollector"): deletes objects
 * whose owners are all gone (background), deletes an owner's blocking dependents before the owner
 * (foreground), and strips an owner from its dependents' ownerReferences (orphan).
 */
import { allTypes, lookupKind, type ResourceType } from '../../api/scheme.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj, ResourceRef } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import type { OwnerReference } from '../controller-utils/controller-ref.js';
import {
  FinalizerDeleteDependents, FinalizerOrphanDependents, Graph, beingDeleted, deletingDependents, hasFinalizer, type GraphNode,
} from './graph.js';

export const Name = 'garbagecollector';
export const FieldManager = 'kube-controller-manager';
export const ReasonOwnerRefInvalidNamespace = 'OwnerRefInvalidNamespace';

export interface GarbageCollectorOptions {
  /** Concurrent deletes and orphanings (upstream --concurrent-gc-syncs, 20). */
  workers?: number;
  /** Owners confirmed absent, remembered to spare GETs (upstream's absentOwnerCache of 500). */
  absentOwnerCacheSize?: number;
  onError?: (key: string, err: unknown) => void;
}

/** Events are never owners nor garbage-collected by owner (upstream's ignoredResources). */
const ignored = (t: ResourceType) => t.kind === 'Event';
const served = (t: ResourceType) => ['list', 'watch', 'delete'].every((v) => (t.verbs ?? ['list', 'watch', 'delete']).includes(v));

/** Types the garbage collector watches: every served kind that can be listed, watched and deleted. */
export const collectedTypes = (): ResourceType[] => allTypes().filter((t) => served(t) && !ignored(t));

const refString = (o: OwnerReference, namespace: string) =>
  `[${o.apiVersion}/${o.kind}, namespace: ${namespace}, name: ${o.name}, uid: ${o.uid}]`;

interface Classified { solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] }

export class GarbageCollector implements Controller {
  readonly name = Name;
  readonly graph = new Graph();
  /** Uids of objects to check: dependents that may be garbage, owners deleting in the foreground. */
  readonly attemptToDelete = new WorkQueue<string>();
  /** Uids of owners deleted with the orphan finalizer. */
  readonly attemptToOrphan = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly absentOwners = new Map<string, true>();

  constructor(private readonly ctx: ControllerContext, private readonly opts: GarbageCollectorOptions = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('garbage-collector-controller');
  }

  setup(): void {
    for (const t of collectedTypes()) {
      this.ctx.informers.informer(t).addHandler({
        add: (obj) => this.observe(t, obj),
        update: (_old, obj) => this.observe(t, obj),
        delete: (obj) => this.forget(obj),
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const workers = this.opts.workers ?? 20;
    await Promise.all([
      runWorkers({ name: `${Name}-delete`, queue: this.attemptToDelete, reconciler: this.deleter, workers, signal, onError: this.opts.onError }),
      runWorkers({ name: `${Name}-orphan`, queue: this.attemptToOrphan, reconciler: this.orphaner, workers, signal, onError: this.opts.onError }),
    ]);
  }

  /** Checks one object (by uid): deletes it when its owners are gone, or finishes its foreground deletion. */
  readonly deleter: Reconciler = { reconcile: (uid) => this.attemptToDeleteItem(uid) };
  /** Orphans the dependents of one owner (by uid), then removes its orphan finalizer. */
  readonly orphaner: Reconciler = { reconcile: (uid) => this.orphanDependents(uid) };

  /** Graph changes as upstream's processGraphChanges turns them into work. */
  private observe(t: ResourceType, obj: Obj): void {
    const uid: string | undefined = obj.metadata?.uid;
    if (!uid) return;
    const changes = this.graph.upsert(t, obj);
    if (beingDeleted(obj) && hasFinalizer(obj, FinalizerOrphanDependents)) this.attemptToOrphan.add(uid);
    if (deletingDependents(obj)) {
      this.attemptToDelete.add(uid);
      for (const d of this.graph.dependentsOf(uid)) this.attemptToDelete.add(d.uid);
    }
    // A dependent whose owner is unknown here (maybe gone) or deleting in the foreground needs a look.
    for (const o of [...changes.added, ...changes.changed]) {
      const owner = this.graph.get(o.uid);
      if (!owner || deletingDependents(owner.obj)) this.attemptToDelete.add(uid);
    }
    // An owner deleting in the foreground may have lost its last blocking dependent.
    for (const o of [...changes.removed, ...changes.changed]) {
      const owner = this.graph.get(o.uid);
      if (owner && deletingDependents(owner.obj)) this.attemptToDelete.add(o.uid);
    }
  }

  private forget(obj: Obj): void {
    const node = this.graph.remove(obj);
    if (!node) return;
    for (const d of this.graph.dependentsOf(node.uid)) this.attemptToDelete.add(d.uid);
    for (const o of node.owners) {
      const owner = this.graph.get(o.uid);
      if (owner && deletingDependents(owner.obj)) this.attemptToDelete.add(o.uid);
    }
  }

  private async attemptToDeleteItem(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const latest = await this.getLive(node);
    if (!latest) return;
    if (beingDeleted(latest) && !hasFinalizer(latest, FinalizerDeleteDependents)) return;
    if (deletingDependents(latest)) return this.processDeletingDependents(node, latest);
    const owners: OwnerReference[] = latest.metadata.ownerReferences ?? [];
    if (owners.length === 0) return;
    const c = await this.classify(node, owners);
    if (!c) return;
    if (c.solid.length > 0) {
      if (c.dangling.length === 0 && c.waiting.length === 0) return;
      // Some owners live: only drop the references to the gone and the foreground-deleting ones.
      const drop = new Set([...c.dangling, ...c.waiting].map((o) => o.uid));
      await this.patchOwnerRefs(node, latest, owners.filter((o) => !drop.has(o.uid)));
      return;
    }
    const dependents = this.graph.dependentsOf(uid);
    if (c.waiting.length > 0 && dependents.length > 0) {
      // Delete in the foreground too, so that its own dependents go first. When one of them is
      // itself deleting in the foreground, this may be a cycle: unblock the waiting owners first,
      // or each would wait for the other forever (upstream's cycle guard).
      const waiting = new Set(c.waiting.map((o) => o.uid));
      if (dependents.some((d) => deletingDependents(d.obj)) && owners.some((o) => waiting.has(o.uid) && o.blockOwnerDeletion)) {
        await this.patchOwnerRefs(node, latest, owners.map((o) => (waiting.has(o.uid) ? { ...o, blockOwnerDeletion: false } : o)));
      }
      await this.deleteObject(node, latest, 'Foreground');
      return;
    }
    const policy = hasFinalizer(latest, FinalizerOrphanDependents) ? 'Orphan'
      : hasFinalizer(latest, FinalizerDeleteDependents) ? 'Foreground' : 'Background';
    await this.deleteObject(node, latest, policy);
  }

  /** A foreground deletion ends (finalizer removed) once no dependent blocks it; until then its blockers are queued. */
  private async processDeletingDependents(node: GraphNode, latest: Obj): Promise<void> {
    const blocking = this.graph.blockingDependentsOf(node.uid);
    if (blocking.length === 0) {
      await this.removeFinalizer(node, latest, FinalizerDeleteDependents);
      return;
    }
    for (const d of blocking) if (!deletingDependents(d.obj)) this.attemptToDelete.add(d.uid);
  }

  private async orphanDependents(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const latest = await this.getLive(node);
    if (!latest || !beingDeleted(latest) || !hasFinalizer(latest, FinalizerOrphanDependents)) return;
    for (const d of this.graph.dependentsOf(uid)) {
      const dep = await this.getLive(d);
      if (!dep) continue;
      const owners: OwnerReference[] = dep.metadata.ownerReferences ?? [];
      if (!owners.some((o) => o.uid === uid)) continue;
      await this.patchOwnerRefs(d, dep, owners.filter((o) => o.uid !== uid));
    }
    await this.removeFinalizer(node, latest, FinalizerOrphanDependents);
  }

  /**
   * Sorts an object's owners by a live GET each (the cache may lag): solid (exists), dangling
   * (absent or another uid), waiting (deleting its dependents in the foreground). Undefined when
   * the references are invalid in a way retrying cannot fix (an event says so).
   */
  private async classify(node: GraphNode, owners: OwnerReference[]): Promise<Classified | undefined> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    const namespace: string = node.obj.metadata.namespace ?? '';
    for (const o of owners) {
      const t = lookupKind(o.apiVersion, o.kind);
      if (!t) throw new Error(`ownerReference ${refString(o, namespace)}: no resource of kind ${o.kind} in ${o.apiVersion}`);
      if (t.namespaced && !namespace) {
        this.events.event(node.obj, 'Warning', ReasonOwnerRefInvalidNamespace,
          `ownerRef ${refString(o, namespace)} does not exist in namespace ""`);
        return undefined;
      }
      const absentKey = `${t.namespaced ? namespace : ''}/${o.uid}`;
      if (this.absentOwners.has(absentKey)) {
        out.dangling.push(o);
        continue;
      }
      let owner: Obj | undefined;
      try {
        owner = await this.client.get(this.refOf(t, namespace), o.name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (!owner || owner.metadata.uid !== o.uid) {
        this.rememberAbsent(absentKey);
        out.dangling.push(o);
      } else if (deletingDependents(owner)) {
        out.waiting.push(o);
      } else {
        out.solid.push(o);
      }
    }
    return out;
  }

  /** The object as the API has it now, or undefined when it is gone (or was replaced by another uid). */
  private async getLive(node: GraphNode): Promise<Obj | undefined> {
    try {
      const obj = await this.client.get(this.refOf(node.type, node.obj.metadata.namespace), node.obj.metadata.name);
      return obj.metadata.uid === node.uid ? obj : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deleteObject(node: GraphNode, latest: Obj, policy: 'Orphan' | 'Background' | 'Foreground'): Promise<void> {
    try {
      await this.client.delete(this.refOf(node.type, latest.metadata.namespace), latest.metadata.name,
        { propagationPolicy: policy, preconditions: { uid: node.uid }, fieldManager: FieldManager });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async patchOwnerRefs(node: GraphNode, latest: Obj, owners: OwnerReference[]): Promise<void> {
    await this.patchMeta(node, latest, { ownerReferences: owners.length ? owners : null });
  }

  private async removeFinalizer(node: GraphNode, latest: Obj, finalizer: string): Promise<void> {
    const finalizers = (latest.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    await this.patchMeta(node, latest, { finalizers: finalizers.length ? finalizers : null });
  }

  /** A merge patch of metadata at the resourceVersion read (409 → retried with the next reconcile). */
  private async patchMeta(node: GraphNode, latest: Obj, meta: Obj): Promise<void> {
    try {
      await this.client.patch(this.refOf(node.type, latest.metadata.namespace), latest.metadata.name, 'merge',
        { metadata: { ...meta, resourceVersion: latest.metadata.resourceVersion } }, { fieldManager: FieldManager });
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) throw new Error(`${node.type.resource} ${latest.metadata.name} changed meanwhile; retrying`);
      throw e;
    }
  }

  private rememberAbsent(key: string): void {
    this.absentOwners.delete(key);
    this.absentOwners.set(key, true);
    if (this.absentOwners.size > (this.opts.absentOwnerCacheSize ?? 500)) this.absentOwners.delete(this.absentOwners.keys().next().value!);
  }

  private refOf(t: ResourceType, namespace?: string): ResourceRef {
    return t.namespaced ? { type: t, namespace } : { type: t };
  }
}
