/**
 * @module ControllerRevisions as upstream's controller/history package, for DaemonSets and
 * StatefulSets: a revision holds a patch that replaces spec.template, is named `<owner>-<hash>`
 * and labelled controller-revision-hash; a name collision bumps status.collisionCount.
 */
import { isAlreadyExists } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { newControllerRef } from './controller-ref.js';
import { canonicalJSON, computeHash } from './hash.js';

/** The label on revisions (and on DaemonSet and StatefulSet pods) naming their revision. */
export const ControllerRevisionHashLabel = 'controller-revision-hash';

/** getPatch: the owner's spec.template as a strategic merge patch that replaces the whole template. */
export const templatePatch = (owner: Obj): Obj =>
  ({ spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } });

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export const controllerRevisionName = (prefix: string, hash: string): string => `${prefix.slice(0, 223)}-${hash}`;

/** HashControllerRevision: FNV-32a of the revision's data (and collisionCount), safe-encoded. */
export const hashRevision = (data: unknown, collisionCount?: number | null): string => computeHash(data, collisionCount);

/** NewControllerRevision: owned by `owner` (controller ref), labelled with the template labels and the hash. */
export function newControllerRevision(owner: Obj, apiVersion: string, kind: string, revision: number, collisionCount?: number | null): Obj {
  const data = templatePatch(owner);
  const hash = hashRevision(data, collisionCount || undefined);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(owner.metadata.name, hash), namespace: owner.metadata.namespace,
      labels: { ...owner.spec?.template?.metadata?.labels, [ControllerRevisionHashLabel]: hash },
      ownerReferences: [newControllerRef(owner, apiVersion, kind)],
    },
    data, revision,
  };
}

/** EqualRevision: the same hash label and the same data. */
export function equalRevision(a: Obj, b: Obj): boolean {
  const ha = a.metadata?.labels?.[ControllerRevisionHashLabel], hb = b.metadata?.labels?.[ControllerRevisionHashLabel];
  if (ha !== hb) return false;
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

/** FindEqualRevisions: the revisions equal to `needle`. */
export const findEqualRevisions = (revisions: Obj[], needle: Obj): Obj[] => revisions.filter((r) => equalRevision(r, needle));

/** SortControllerRevisions: by revision number, then creation time, then name. */
export const sortRevisions = (revisions: Obj[]): Obj[] => [...revisions].sort((a, b) =>
  (a.revision ?? 0) - (b.revision ?? 0) ||
  Date.parse(a.metadata.creationTimestamp ?? '0') - Date.parse(b.metadata.creationTimestamp ?? '0') ||
  a.metadata.name.localeCompare(b.metadata.name));

/** nextRevision: one more than the highest revision number (1 for none). */
export const nextRevision = (revisions: Obj[]): number => revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;

/**
 * CreateControllerRevision: creates the revision, renaming it with a new hash while the name is
 * taken by a revision with other data. `collision.count` is bumped for each collision; the caller
 * saves it in the owner's status.collisionCount. Returns the created (or equal existing) revision.
 */
export async function createControllerRevision(client: Client, owner: Obj, revision: Obj, collision: { count: number },
  fieldManager: string): Promise<Obj> {
  const revisions = ref('ControllerRevision', owner.metadata.namespace);
  for (;;) {
    const hash = hashRevision(revision.data, collision.count || undefined);
    const clone = structuredClone(revision);
    clone.metadata.name = controllerRevisionName(owner.metadata.name, hash);
    try {
      return await client.create(revisions, clone, { fieldManager });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get(revisions, clone.metadata.name);
      if (canonicalJSON(existing.data) === canonicalJSON(clone.data)) return existing;
      collision.count++;
    }
  }
}
