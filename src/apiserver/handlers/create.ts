/** @module POST of a new object into a collection (namespace checks, dryRun, 201). */
import { newBadRequest, newForbidden, newNotFound, isNotFound } from '../../apimachinery/errors.js';
import { lookupResource } from '../../api/scheme.js';
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
    await requireActiveNamespace(ctx, ns);
  }
  const created = await ctx.storage.create(ns, obj, { dryRun: isDryRun(ctx.query), fieldManager: fieldManagerOf(ctx) });
  respondObject(ctx, 201, created);
}

/** A namespaced write needs its namespace to exist and not be terminating (NamespaceLifecycle admission). */
export async function requireActiveNamespace(ctx: RequestContext, ns: string): Promise<void> {
  const namespaces = ctx.registry.storageFor(lookupResource('', 'v1', 'namespaces')!);
  try {
    const n = await namespaces.get('', ns);
    if (n.metadata?.deletionTimestamp || n.status?.phase === 'Terminating') {
      throw newForbidden({ group: ctx.t.group, resource: ctx.t.resource }, '',
        `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  } catch (e) {
    if (isNotFound(e)) throw newNotFound({ group: '', resource: 'namespaces' }, ns);
    throw e;
  }
}
