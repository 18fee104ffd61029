/**
 * @module The garbage collector's dependency graph, as upstream's GraphBuilder keeps it: every
 * cached object by uid, with the uids of its owners and of its dependents.
 */
import type { ResourceType } from '../../api/scheme.js';
import type { Obj } from '../../client/client.js';
import type { OwnerReference } from '../controller-utils/controller-ref.js';

export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

/** One object in the graph: its type, its latest cached state, and what it points at. */
export interface GraphNode {
  uid: string;
  type: ResourceType;
  obj: Obj;
  owners: OwnerReference[];
}

/** What changed in an object's ownerReferences with an upsert. */
export interface OwnerChanges { added: OwnerReference[]; removed: OwnerReference[]; changed: OwnerReference[] }

const none = Object.freeze([]) as unknown as OwnerReference[];
const NoChanges: OwnerChanges = Object.freeze({ added: none, removed: none, changed: none });

/** Same owner uids in the same order, with the same blockOwnerDeletion. */
const sameOwners = (a: OwnerReference[], b: OwnerReference[]) =>
  a === b || (a.length === b.length && a.every((o, i) => o.uid === b[i].uid && o.blockOwnerDeletion === b[i].blockOwnerDeletion));

export const hasFinalizer = (obj: Obj, f: string): boolean => (obj.metadata?.finalizers ?? []).includes(f);
export const beingDeleted = (obj: Obj): boolean => !!obj.metadata?.deletionTimestamp;
/** Deleted in the foreground: waiting for its blocking dependents to go. */
export const deletingDependents = (obj: Obj): boolean => beingDeleted(obj) && hasFinalizer(obj, FinalizerDeleteDependents);

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined { return this.nodes.get(uid); }

  /** The objects that name `uid` as an owner (whether or not that owner is known). */
  dependentsOf(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: what a foreground deletion waits for. */
  blockingDependentsOf(uid: string): GraphNode[] {
    return this.dependentsOf(uid).filter((d) => d.owners.some((o) => o.uid === uid && o.blockOwnerDeletion === true));
  }

  /** Records the latest state of obj; returns how its ownerReferences changed. */
  upsert(type: ResourceType, obj: Obj): OwnerChanges {
    const uid: string = obj.metadata.uid;
    const owners: OwnerReference[] = obj.metadata.ownerReferences ?? [];
    const prev = this.nodes.get(uid);
    // Most updates (a pod's status) leave ownerReferences alone: no diff to build.
    if (prev && sameOwners(prev.owners, owners)) {
      prev.obj = obj;
      prev.owners = owners;
      return NoChanges;
    }
    const before = new Map((prev?.owners ?? []).map((o) => [o.uid, o]));
    const after = new Map(owners.map((o) => [o.uid, o]));
    const changes: OwnerChanges = { added: [], removed: [], changed: [] };
    for (const [u, o] of after) {
      const old = before.get(u);
      if (!old) changes.added.push(o);
      else if (old.blockOwnerDeletion !== o.blockOwnerDeletion) changes.changed.push(o);
    }
    for (const [u, o] of before) if (!after.has(u)) changes.removed.push(o);
    for (const o of changes.removed) this.unlink(o.uid, uid);
    for (const o of changes.added) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(uid);
    }
    this.nodes.set(uid, { uid, type, obj, owners });
    return changes;
  }

  /** Forgets obj; returns its node as it was, if known. */
  remove(obj: Obj): GraphNode | undefined {
    const uid: string = obj.metadata?.uid;
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    for (const o of node.owners) this.unlink(o.uid, uid);
    this.nodes.delete(uid);
    return node;
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependents.get(owner);
    set?.delete(dependent);
    if (set?.size === 0) this.dependents.delete(owner);
  }
}
