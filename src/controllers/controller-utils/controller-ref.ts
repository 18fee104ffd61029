/**
 * @module ControllerRef handling, as upstream's ControllerRefManager: a controller claims the
 * objects its selector matches — adopting orphans, releasing owned objects that no longer match —
 * by patching their ownerReferences (strategic merge, keyed by uid).
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj, ResourceRef } from '../../client/client.js';

/** An ownerReference (metav1.OwnerReference). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.GetControllerOf: the ownerReference with controller: true. */
export const getControllerOf = (obj: Obj): OwnerReference | undefined =>
  (obj.metadata?.ownerReferences as OwnerReference[] | undefined)?.find((r) => r.controller === true);

/** metav1.NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: Obj, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** An informer index of objects by "namespace/controller-uid" ("namespace/" for orphans). */
export const PodsByControllerIndex = 'tugboat.dev/controller-uid';
export const podControllerIndex = (obj: Obj): string[] =>
  [`${obj.metadata?.namespace ?? ''}/${getControllerOf(obj)?.uid ?? ''}`];

export interface ClaimOptions {
  client: Client;
  /** Where the claimed objects live (pods or replicasets, in the controller's namespace). */
  ref: ResourceRef;
  /** The controller (its uid, name, namespace and deletionTimestamp are used). */
  controller: Obj;
  controllerRef: OwnerReference;
  /** Does the controller's selector match obj? */
  match(obj: Obj): boolean;
  /**
   * Reads the controller afresh before the first adoption (upstream's RecheckDeletionTimestamp);
   * resolves to undefined when it is gone.
   */
  fetchController(): Promise<Obj | undefined>;
  fieldManager?: string;
}

/**
 * ClaimObjects: returns the objects the controller owns after adoption and release. Objects owned
 * by another controller are ignored. Throws the first adoption or release error (the caller retries)
 * after trying every object; objects that vanished meanwhile are skipped.
 */
export async function claimObjects(objs: Obj[], o: ClaimOptions): Promise<Obj[]> {
  const claimed: Obj[] = [];
  let firstError: unknown;
  let canAdopt: Promise<void> | undefined;
  const uid = o.controller.metadata.uid;
  for (const obj of objs) {
    const ref = getControllerOf(obj);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (o.match(obj)) { claimed.push(obj); continue; }
        // Owned by us but no longer selected: release, unless we are being deleted.
        if (o.controller.metadata.deletionTimestamp) continue;
        await patchOwners(o, obj, [{ $patch: 'delete', uid }]);
        continue;
      }
      if (o.controller.metadata.deletionTimestamp || !o.match(obj) || obj.metadata?.deletionTimestamp) continue;
      if (o.controller.metadata.namespace && o.controller.metadata.namespace !== obj.metadata?.namespace) continue;
      canAdopt ??= recheck(o);
      await canAdopt;
      const adopted = await patchOwners(o, obj, [o.controllerRef]);
      if (adopted) claimed.push(adopted);
    } catch (e) {
      if (!isNotFound(e)) firstError ??= e;
    }
  }
  if (firstError) throw firstError;
  return claimed;
}

async function recheck(o: ClaimOptions): Promise<void> {
  const fresh = await o.fetchController();
  const m = o.controller.metadata;
  if (!fresh) throw new Error(`original ${m.namespace}/${m.name} is gone: got nothing, wanted uid ${m.uid}`);
  if (fresh.metadata.uid !== m.uid) throw new Error(`original ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata.uid}, wanted ${m.uid}`);
  if (fresh.metadata.deletionTimestamp) throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}

function patchOwners(o: ClaimOptions, obj: Obj, ownerReferences: unknown[]): Promise<Obj> {
  const patch = { metadata: { ownerReferences, uid: obj.metadata.uid } };
  return o.client.patch(o.ref, obj.metadata.name, 'strategic', patch, { fieldManager: o.fieldManager });
}
