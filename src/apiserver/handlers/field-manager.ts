/** @module The field manager of a write: the fieldManager parameter, else derived from the User-Agent as upstream. */
import { newBadRequest } from '../../apimachinery/errors.js';
import { managerFromUserAgent } from '../../apimachinery/managedfields/index.js';
import type { RequestContext } from './context.js';

export function fieldManagerOf(ctx: RequestContext): string {
  const m = ctx.query.get('fieldManager');
  if (m !== null) {
    if (m.length > 128) throw newBadRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return m;
  }
  return managerFromUserAgent(String(ctx.req.headers['user-agent'] ?? ''));
}
