/**
 * @module PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, on the
 * object, its status or its scale — each applied to the current version and written with CAS.
 */
import { apiVersionOf } from '../../api/scheme.js';
import { PATCH_MEDIA_TYPES, newBadRequest, newUnsupportedMediaType } from '../../apimachinery/errors.js';
import { decodeBody, mediaType, readBody } from '../http/body.js';
import type { Obj } from '../registry/object-meta.js';
import { patchObject, type PatchType } from '../registry/patch-object.js';
import { respondObject, isDryRun, type RequestContext } from './context.js';
import { enforceFieldValidation, checkObject } from './decode-object.js';
import { fieldManagerOf } from './field-manager.js';
import { writeScale } from './scale.js';

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const type = patchTypes[mediaType(ctx.req.headers['content-type'])];
  if (!type) throw newUnsupportedMediaType(mediaType(ctx.req.headers['content-type']), PATCH_MEDIA_TYPES);
  const patch = decodeBody(await readBody(ctx.req), type === 'apply' ? 'application/yaml' : 'application/json');
  if (type === 'json' ? !Array.isArray(patch) : (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw newBadRequest(type === 'json' ? 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' : 'patch body must be a JSON object');
  }
  const sub = ctx.info.subresource;
  const dryRun = isDryRun(ctx.query);
  const manager = fieldManagerOf(ctx);
  if (sub === 'scale') {
    await writeScale(ctx, (scale) => applyPatch(ctx, type, scale, patch, { apiVersion: 'autoscaling/v1', kind: 'Scale' }, manager));
    return;
  }
  const expect = { apiVersion: apiVersionOf(ctx.t), kind: ctx.t.kind };
  const { namespace, name } = ctx.info;
  const w = { dryRun, fieldManager: manager, subresource: sub, apply: type === 'apply' };
  if (type === 'apply') {
    // Apply creates what does not exist yet (as upstream's patch handler does for apply).
    const obj = await ctx.storage.update(namespace, name, (cur) => applyPatch(ctx, type, cur, patch, expect, manager), w,
      async () => {
        const created = applyPatch(ctx, type, undefined, patch, expect, manager);
        return ctx.storage.create(namespace, created, w);
      });
    respondObject(ctx, 200, obj);
    return;
  }
  const obj = await ctx.storage.update(namespace, name, (cur) => applyPatch(ctx, type, cur, patch, expect, manager), w);
  respondObject(ctx, 200, obj);
}

function applyPatch(ctx: RequestContext, type: PatchType, current: Obj | undefined, patch: any,
  expect: { apiVersion: string; kind: string }, manager: string): Obj {
  if (type === 'apply') {
    checkObject(ctx, patch, expect);
    if (!ctx.query.get('fieldManager')) throw newBadRequest('PATCH with apply requires fieldManager to be set');
  }
  const next = patchObject(type, current, patch, { ...expect, name: ctx.info.name, manager,
    force: ctx.query.get('force') === 'true', subresource: ctx.info.subresource || undefined });
  if (type !== 'apply') enforceFieldValidation(ctx, next, expect);
  return next;
}
