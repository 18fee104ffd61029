/**
 * @module Deleting a namespace deletes what is in it. Until the namespace controller exists, the
 * API server empties the namespace itself before removing it, so that a namespace re-created
 * with the same name starts empty.
 */
import { allTypes } from '../../api/scheme.js';
import { isNotFound } from '../../apimachinery/errors.js';
import { handleDelete } from './delete.js';
import type { RequestContext } from './context.js';

export async function handleNamespaceDelete(ctx: RequestContext): Promise<void> {
  const ns = ctx.info.name;
  await ctx.storage.get('', ns); // 404 before touching anything
  if (!ctx.query.has('dryRun')) {
    for (const t of allTypes()) {
      if (!t.namespaced) continue;
      const storage = ctx.registry.storageFor(t);
      const { items } = await storage.list(ns);
      for (const obj of items) {
        try {
          await storage.delete(ns, obj.metadata.name, { gracePeriodSeconds: 0 });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
  }
  await handleDelete(ctx);
}
