/**
 * @module DELETE of one object or a collection, with DeleteOptions from the body or the query
 * (gracePeriodSeconds, propagationPolicy, preconditions, dryRun).
 */
import { apiVersionOf } from '../../api/scheme.js';
import { newBadRequest } from '../../apimachinery/errors.js';
import { decodeBody, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { buildFilter } from '../registry/filter.js';
import type { DeleteOptions } from '../registry/resource-storage.js';
import { respondObject, intParam, isDryRun, type RequestContext } from './context.js';

const policies = ['Orphan', 'Background', 'Foreground'];

export async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let o: Record<string, any> = {};
  if (body.length > 0) {
    const raw = decodeBody(body, ctx.req.headers['content-type'] || 'application/json');
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) o = raw as Record<string, any>;
    else throw newBadRequest('DeleteOptions must be a JSON object');
  }
  const q = ctx.query;
  const grace = o.gracePeriodSeconds ?? intParam(q, 'gracePeriodSeconds');
  let policy = o.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const orphan = o.orphanDependents ?? (q.has('orphanDependents') ? q.get('orphanDependents') === 'true' : undefined);
  if (policy === undefined && orphan !== undefined) policy = orphan ? 'Orphan' : 'Background';
  if (policy !== undefined && !policies.includes(policy)) {
    throw newBadRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw newBadRequest(`invalid gracePeriodSeconds: ${grace}`);
  const dryRun = isDryRun(q) || (Array.isArray(o.dryRun) && o.dryRun.includes('All'));
  return { gracePeriodSeconds: grace, propagationPolicy: policy, preconditions: o.preconditions, dryRun };
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const { object, deleted } = await ctx.storage.delete(ctx.info.namespace, ctx.info.name, opts);
  // 200 when gone, 202 when it waits for finalizers or a graceful stop.
  respondObject(ctx, deleted ? 200 : 202, object);
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const filter = buildFilter(ctx.t, ctx.query.get('labelSelector') ?? '', ctx.query.get('fieldSelector') ?? '');
  const page = await ctx.storage.list(ctx.info.namespace, { filter });
  const items = [];
  for (const obj of page.items) {
    try {
      items.push((await ctx.storage.delete(obj.metadata.namespace ?? '', obj.metadata.name, opts)).object);
    } catch (e) {
      // Already gone (a concurrent delete): deletecollection is best-effort per item, as upstream.
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  writeJSON(ctx.res, 200, { kind: `${ctx.t.kind}List`, apiVersion: apiVersionOf(ctx.t), metadata: { resourceVersion: page.resourceVersion }, items });
}
