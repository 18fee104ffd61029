/** @module GET of a collection: selectors, pagination, and the List (or Table) it returns. */
import { apiVersionOf } from '../../api/scheme.js';
import { toTable } from '../../api/tables/index.js';
import { writeJSON, writeRaw } from '../http/respond.js';
import { jsonOf } from '../registry/resource-storage.js';
import { buildFilter } from '../registry/filter.js';
import { includeObject, intParam, type RequestContext } from './context.js';

export async function handleList(ctx: RequestContext): Promise<void> {
  const { query: q } = ctx;
  const page = await ctx.storage.list(ctx.info.namespace, {
    filter: buildFilter(ctx.t, q.get('labelSelector') ?? '', q.get('fieldSelector') ?? ''),
    limit: intParam(q, 'limit'),
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.continue && page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (ctx.neg.as === 'table') {
    const table = toTable(ctx.t, page.items, { includeObject: includeObject(q), now: new Date(), resourceVersion: page.resourceVersion });
    table.metadata = metadata;
    writeJSON(ctx.res, 200, table);
    return;
  }
  if (ctx.neg.yaml) {
    writeJSON(ctx.res, 200, { kind: `${ctx.t.kind}List`, apiVersion: apiVersionOf(ctx.t), metadata, items: page.items }, true);
    return;
  }
  // Items are shared, already-serialized objects: splice their JSON instead of stringifying again.
  const head = JSON.stringify({ kind: `${ctx.t.kind}List`, apiVersion: apiVersionOf(ctx.t), metadata });
  writeRaw(ctx.res, 200, `${head.slice(0, -1)},"items":[${page.items.map(jsonOf).join(',')}]}`);
}
