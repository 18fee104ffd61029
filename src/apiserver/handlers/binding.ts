/** @module pods/binding: the scheduler's write that assigns a pod to a node. */
import { newBadRequest, newConflict } from '../../apimachinery/errors.js';
import { decodeBody, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { nowRFC3339 } from '../registry/object-meta.js';
import { isDryRun, type RequestContext } from './context.js';

export async function handleBinding(ctx: RequestContext): Promise<void> {
  const binding = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']) as Record<string, any>;
  const name = ctx.info.name || binding?.metadata?.name;
  if (binding?.metadata?.name && ctx.info.name && binding.metadata.name !== ctx.info.name) {
    throw newBadRequest('name in URL does not match name in Binding object');
  }
  const node = binding?.target?.name;
  if (!node) throw newBadRequest('Binding.target.name: Required value');
  await ctx.storage.update(ctx.info.namespace, name, (pod) => {
    if (pod.metadata.deletionTimestamp) throw newConflict(ctx.storage.gr, name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec.nodeName) throw newConflict(ctx.storage.gr, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = node;
    if (binding.metadata?.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...binding.metadata.annotations };
    pod.status ??= {};
    const conditions = (pod.status.conditions ??= []) as Record<string, unknown>[];
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339() };
    const i = conditions.findIndex((c) => c.type === 'PodScheduled');
    if (i >= 0) conditions[i] = scheduled; else conditions.push(scheduled);
    return pod;
  }, { dryRun: isDryRun(ctx.query), subresource: 'binding' });
  writeJSON(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
