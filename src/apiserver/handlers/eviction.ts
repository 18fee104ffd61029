/** @module POST pods/NAME/eviction. */
import { decodeBody, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { evictPod } from '../registry/pod-eviction.js';
import type { Obj } from '../registry/object-meta.js';
import { isDryRun, type RequestContext } from './context.js';

export async function handleEviction(ctx: RequestContext): Promise<void> {
  const eviction = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']) as Obj;
  writeJSON(ctx.res, 201, await evictPod(ctx.registry, ctx.storage, ctx.info.namespace, ctx.info.name, eviction, isDryRun(ctx.query)));
}
