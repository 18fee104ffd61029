/** @module The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets. */
import type { ResourceType } from '../../api/scheme.js';
import { selectorToString } from '../../apimachinery/labels/index.js';
import { newBadRequest, newInvalid } from '../../apimachinery/errors.js';
import type { Obj } from '../registry/object-meta.js';
import { writeJSON } from '../http/respond.js';
import { isDryRun, type RequestContext } from './context.js';
import { fieldManagerOf } from './field-manager.js';

const getPath = (obj: Obj, path: string) => path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);

export function scaleOf(t: ResourceType, obj: Obj): Obj {
  const s = t.scale!;
  const selector = s.labelSelectorPath ? getPath(obj, s.labelSelectorPath) : undefined;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: getPath(obj, s.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, s.statusReplicasPath) ?? 0, ...(selector ? { selector: selectorToString(selector) } : {}) },
  };
}

export async function handleGetScale(ctx: RequestContext): Promise<void> {
  writeJSON(ctx.res, 200, scaleOf(ctx.t, await ctx.storage.get(ctx.info.namespace, ctx.info.name)));
}

/** Writes a new Scale: `change` maps the current Scale to the desired one (PUT body or a patch). */
export async function writeScale(ctx: RequestContext, change: (current: Obj) => Obj | Promise<Obj>): Promise<void> {
  const updated = await ctx.storage.update(ctx.info.namespace, ctx.info.name, async (obj) => {
    const desired = await change(scaleOf(ctx.t, obj));
    if (desired?.kind !== undefined && desired.kind !== 'Scale') throw newBadRequest(`the kind in the data (${desired.kind}) does not match the expected kind (Scale)`);
    const replicas = desired?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw newInvalid({ group: 'autoscaling', kind: 'Scale' }, ctx.info.name, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
    }
    const path = ctx.t.scale!.specReplicasPath.split('.');
    let o = obj;
    for (const k of path.slice(0, -1)) o = o[k] ??= {};
    o[path[path.length - 1]] = replicas;
    if (desired.metadata?.resourceVersion) obj.metadata.resourceVersion = desired.metadata.resourceVersion;
    return obj;
  }, { dryRun: isDryRun(ctx.query), fieldManager: fieldManagerOf(ctx), subresource: 'scale' });
  writeJSON(ctx.res, 200, scaleOf(ctx.t, updated));
}
