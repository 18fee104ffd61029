/**
 * @module What every resource handler gets: the parsed request, the resource's storage and the
 * client's negotiated representation, plus the shared ways to answer with objects or Tables.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../../api/scheme.js';
import { toTable } from '../../api/tables/index.js';
import { newBadRequest } from '../../apimachinery/errors.js';
import type { RequestInfo } from '../request-info.js';
import type { Negotiated } from '../http/respond.js';
import { writeJSON } from '../http/respond.js';
import type { ResourceStorage } from '../registry/resource-storage.js';
import type { StorageRegistry } from '../registry/registry.js';
import type { Obj } from '../registry/object-meta.js';
import type { UserInfo } from '../auth/authenticate.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  t: ResourceType;
  storage: ResourceStorage;
  registry: StorageRegistry;
  neg: Negotiated;
  user?: UserInfo;
}

/** Writes one object, as a one-row Table when kubectl asked for a Table. */
export function respondObject(ctx: RequestContext, code: number, obj: Obj): void {
  if (ctx.neg.as === 'table') {
    writeJSON(ctx.res, code, toTable(ctx.t, [obj], { includeObject: includeObject(ctx.query), now: new Date(), resourceVersion: obj.metadata?.resourceVersion }));
    return;
  }
  writeJSON(ctx.res, code, obj, ctx.neg.yaml);
}

export function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}

/** dryRun=All (the only value Kubernetes accepts); anything else is 400 as upstream. */
export function isDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw newBadRequest(`Invalid dry run value: ${v}`);
  return values.length > 0;
}

/** An integer query parameter; 400 when present and not a non-negative integer. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw newBadRequest(`invalid value for ${name}: ${v}`);
  return n;
}
