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
  const head = `${JSON.stringify({ kind: `${ctx.t.kind}List`, apiVersion: apiVersionOf(ctx.t), metadata }).slice(0, -1)},"items":[`;
  if (page.items.length <= WRITE_CHUNK_ITEMS) {
    writeRaw(ctx.res, 200, `${head}${page.items.map(jsonOf).join(',')}]}`);
    return;
  }
  // A whole list at resourceVersion "0" (150,000 pods: over 512 MiB) could pass V8's string length limit as one string.
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.write(head);
  for (let i = 0; i < page.items.length; i += WRITE_CHUNK_ITEMS) {
    ctx.res.write(`${i ? ',' : ''}${page.items.slice(i, i + WRITE_CHUNK_ITEMS).map(jsonOf).join(',')}`);
  }
  ctx.res.end(']}');
}

/** Lists longer than this are written in pieces of this many items. */
const WRITE_CHUNK_ITEMS = 2000;
