/**
 * @module DELETE of a namespace, as upstream: the first delete marks it Terminating (deletionTimestamp
 * set, status.phase Terminating) and the namespace controller empties it; it is removed once
 * spec.finalizers and metadata.finalizers are empty. Answers 200 in both cases, as kube-apiserver.
 */
import { respondObject, type RequestContext } from './context.js';
import { deleteOptions } from './delete.js';

export async function handleNamespaceDelete(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const { object } = await ctx.storage.delete('', ctx.info.name, opts);
  respondObject(ctx, 200, object);
}
