/** @module POST pods/NAME/binding. */
import { decodeBody, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { bindPod } from '../registry/pod-binding.js';
import { isDryRun, type RequestContext } from './context.js';

export async function handleBinding(ctx: RequestContext): Promise<void> {
  const binding = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']) as Record<string, any>;
  writeJSON(ctx.res, 201, await bindPod(ctx.storage, ctx.info.namespace, ctx.info.name, binding, isDryRun(ctx.query)));
}
