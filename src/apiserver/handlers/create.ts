/** @module POST of a new object into a collection (namespace checks, dryRun, 201). */
import { newBadRequest } from '../../apimachinery/errors.js';
import { respondObject, isDryRun, type RequestContext } from './context.js';
import { decodeObject } from './decode-object.js';
import { fieldManagerOf } from './field-manager.js';

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const obj = await decodeObject(ctx);
  const ns = ctx.info.namespace;
  if (ctx.t.namespaced) {
    if (!ns) throw newBadRequest('the server could not find the requested resource');
    if (obj.metadata?.namespace && obj.metadata.namespace !== ns) {
      throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }
  const created = await ctx.storage.create(ns, obj, { dryRun: isDryRun(ctx.query), fieldManager: fieldManagerOf(ctx) });
  respondObject(ctx, 201, created);
}
