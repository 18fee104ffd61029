/** @module GET of one object. */
import { respondObject, type RequestContext } from './context.js';

export async function handleGet(ctx: RequestContext): Promise<void> {
  const obj = await ctx.storage.get(ctx.info.namespace, ctx.info.name);
  respondObject(ctx, 200, obj);
}
