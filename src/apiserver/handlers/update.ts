/** @module PUT: replace an object (or its status) with optimistic concurrency. */
import { newNotFound } from '../../apimachinery/errors.js';
import { respondObject, isDryRun, type RequestContext } from './context.js';
import { decodeObject } from './decode-object.js';
import { fieldManagerOf } from './field-manager.js';

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const { info } = ctx;
  const sub = info.subresource;
  if (sub && sub !== 'status' && sub !== 'finalize') throw newNotFound({ group: ctx.t.group, resource: `${ctx.t.resource}/${sub}` }, info.name);
  const body = await decodeObject(ctx);
  const dryRun = isDryRun(ctx.query);
  const updated = await ctx.storage.update(info.namespace, info.name, () => body,
    { dryRun, fieldManager: fieldManagerOf(ctx), subresource: sub === 'finalize' ? 'finalize' : sub });
  respondObject(ctx, 200, updated);
}
