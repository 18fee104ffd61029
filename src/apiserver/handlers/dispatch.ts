/** @module Routes a resource request to the handler for its verb and subresource. */
import { newMethodNotSupported, newNotFound } from '../../apimachinery/errors.js';
import { ALL_VERBS } from '../../api/scheme.js';
import { handleBinding } from './binding.js';
import type { RequestContext } from './context.js';
import { handleCreate } from './create.js';
import { handleDelete, handleDeleteCollection } from './delete.js';
import { handleEviction } from './eviction.js';
import { handleGet } from './get.js';
import { handleList } from './list.js';
import { handleNodeSubresource } from './node-proxy.js';
import { handleNamespaceDelete } from './namespace-delete.js';
import { handlePatch } from './patch.js';
import { handleGetScale, writeScale } from './scale.js';
import { handleUpdate } from './update.js';
import { handleWatch } from './watch.js';
import { decodeObject } from './decode-object.js';

type Handler = (ctx: RequestContext) => Promise<void>;

const nodeServed = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

export async function dispatch(ctx: RequestContext): Promise<void> {
  const { verb, subresource: sub } = ctx.info;
  const gr = { group: ctx.t.group, resource: ctx.t.resource };
  const handler = pick(ctx, verb, sub);
  if (!handler) {
    if (sub && !isServedSubresource(ctx, sub)) throw newNotFound(gr, ctx.info.name);
    throw newMethodNotSupported(sub ? { ...gr, resource: `${gr.resource}/${sub}` } : gr, verb);
  }
  await handler(ctx);
}

function isServedSubresource(ctx: RequestContext, sub: string): boolean {
  return (sub === 'status' && !!ctx.t.status) || (sub === 'scale' && !!ctx.t.scale) || (ctx.t.subresources ?? []).includes(sub);
}

function pick(ctx: RequestContext, verb: string, sub: string): Handler | undefined {
  const verbs = ctx.t.verbs ?? ALL_VERBS;
  if (!sub) {
    if (!verbs.includes(verb)) return undefined;
    if (verb === 'delete' && ctx.t.kind === 'Namespace' && ctx.t.group === '') return handleNamespaceDelete;
    return ({ get: handleGet, list: handleList, watch: handleWatch, create: handleCreate, update: handleUpdate,
      patch: handlePatch, delete: handleDelete, deletecollection: handleDeleteCollection } as Record<string, Handler>)[verb];
  }
  if (!isServedSubresource(ctx, sub)) return undefined;
  if (sub === 'status') return ({ get: handleGet, update: handleUpdate, patch: handlePatch } as Record<string, Handler>)[verb];
  if (sub === 'scale') {
    return ({ get: handleGetScale, patch: handlePatch,
      update: (c: RequestContext) => decodeObject(c, { apiVersion: 'autoscaling/v1', kind: 'Scale' }).then((s) => writeScale(c, () => s)),
    } as Record<string, Handler>)[verb];
  }
  if (sub === 'binding' && verb === 'create') return handleBinding;
  if (sub === 'eviction' && verb === 'create') return handleEviction;
  if (sub === 'finalize' && verb === 'update') return handleUpdate;
  if (nodeServed.has(sub)) return handleNodeSubresource;
  return undefined;
}
