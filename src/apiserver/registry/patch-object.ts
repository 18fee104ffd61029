/**
 * @module Applies a patch of any type to an object: JSON patch, merge patch, strategic merge
 * patch, or server-side apply (which also computes managedFields). Shared by the HTTP PATCH
 * handler and the in-process client.
 */
import { schemas } from '../../api/openapi/schema.js';
import { newBadRequest } from '../../apimachinery/errors.js';
import { apply } from '../../apimachinery/managedfields/index.js';
import { applyJSONPatch } from '../../apimachinery/patch/json-patch.js';
import { applyMergePatch } from '../../apimachinery/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../apimachinery/patch/strategic-merge-patch.js';
import { nowRFC3339, type Obj } from './object-meta.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchContext {
  apiVersion: string;
  kind: string;
  /** The name the request addresses (apply may create it). */
  name: string;
  manager: string;
  force?: boolean;
  subresource?: string;
}

/** The patched object; `current` is undefined only for an apply that creates. */
export function patchObject(type: PatchType, current: Obj | undefined, patch: any, c: PatchContext): Obj {
  let next: unknown;
  switch (type) {
    case 'json': next = applyJSONPatch(current!, patch); break;
    case 'merge': next = applyMergePatch(current!, patch); break;
    case 'strategic': next = applyStrategicMergePatch(current!, patch, { schemas, apiVersion: c.apiVersion, kind: c.kind }); break;
    case 'apply': {
      if (patch.metadata?.name && patch.metadata.name !== c.name) {
        throw newBadRequest(`the name of the object (${patch.metadata.name}) does not match the name on the URL (${c.name})`);
      }
      const { object } = apply(current, patch, {
        manager: c.manager, force: c.force, apiVersion: c.apiVersion, kind: c.kind, schemas, subresource: c.subresource, time: nowRFC3339(),
      });
      object.metadata ??= {};
      (object.metadata as Obj).name ??= c.name;
      next = object;
      break;
    }
  }
  if (next === null || typeof next !== 'object' || Array.isArray(next)) throw newBadRequest('the patch result is not an object');
  return next as Obj;
}
