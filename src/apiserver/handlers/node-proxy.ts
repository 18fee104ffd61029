/**
 * @module The pod subresources served by the node agent (log, exec, attach, portforward, proxy).
 * Until an agent serves them, the answers are upstream's for a pod no agent can reach.
 */
import { newBadRequest, newServiceUnavailable } from '../../apimachinery/errors.js';
import type { RequestContext } from './context.js';

export async function handleNodeSubresource(ctx: RequestContext): Promise<void> {
  const pod = await ctx.storage.get(ctx.info.namespace, ctx.info.name);
  if (!pod.spec?.nodeName) throw newBadRequest(`pod ${ctx.info.name} does not have a host assigned`);
  throw newServiceUnavailable(`no node agent is connected for node "${pod.spec.nodeName}"`);
}
