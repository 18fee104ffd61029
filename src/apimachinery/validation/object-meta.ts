/**
 * @module ObjectMeta validation on create and update (apimachinery's ValidateObjectMeta and
 * ValidateObjectMetaUpdate, plus core's finalizer-name rule).
 */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { forbidden, immutable, invalid, invalidEach, nonNegative, required, type FieldError } from './field.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { isDNS1123Label, isQualifiedName, type NameFn } from './names.js';

export interface MetaOptions {
  namespaced: boolean;
  nameFn: NameFn;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** A finalizer is a qualified name; one without a '/' prefix must be a standard one (core's rule). */
export function validateFinalizerName(name: string, path: string): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (!name.includes('/') && !standardFinalizers.has(name)) {
    errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

function validateFinalizers(finalizers: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => errs.push(...validateFinalizerName(f, `${path}[${i}]`)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export function validateOwnerReferences(refs: OwnerReference[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controller = '';
  for (const r of refs) {
    const version = (r.apiVersion ?? '').split('/').pop() ?? '';
    if (!version) errs.push(invalid(`${path}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(`${path}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalid(`${path}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalid(`${path}.uid`, r.uid ?? '', 'uid must not be empty'));
    if (r.controller) {
      const cur = `${r.kind}/${r.name}`;
      if (controller) {
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${cur}`));
      } else controller = cur;
    }
  }
  return errs;
}

/** The checks shared by create and update: labels, annotations, owners. */
function validateMetaContents(meta: ObjectMeta, path: string): FieldError[] {
  return [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validateOwnerReferences(meta.ownerReferences ?? [], `${path}.ownerReferences`),
  ];
}

export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) errs.push(...invalidEach(`${path}.generateName`, m.generateName, opts.nameFn(m.generateName, true)));
  if (!m.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else errs.push(...invalidEach(`${path}.name`, m.name, opts.nameFn(m.name, false)));
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(`${path}.namespace`));
    else errs.push(...invalidEach(`${path}.namespace`, m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...nonNegative(`${path}.generation`, m.generation));
  errs.push(...validateMetaContents(m, path));
  errs.push(...validateFinalizers(m.finalizers ?? [], `${path}.finalizers`));
  return errs;
}

/**
 * Update rules. uid and creationTimestamp are compared only when the new object carries them: the
 * server copies them from the stored object first, as the generic registry's BeforeUpdate does.
 */
export function validateObjectMetaUpdate(next: ObjectMeta | undefined, prev: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const n = next ?? {}, o = prev ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = (n.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(`${path}.generation`, n.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(`${path}.name`, n.name ?? '', o.name ?? ''));
  errs.push(...immutable(`${path}.namespace`, n.namespace ?? '', o.namespace ?? ''));
  if (n.uid !== undefined) errs.push(...immutable(`${path}.uid`, n.uid, o.uid));
  if (n.creationTimestamp !== undefined) errs.push(...immutable(`${path}.creationTimestamp`, n.creationTimestamp, o.creationTimestamp));
  errs.push(...immutable(`${path}.deletionTimestamp`, n.deletionTimestamp, o.deletionTimestamp));
  errs.push(...immutable(`${path}.deletionGracePeriodSeconds`, n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds));
  errs.push(...validateMetaContents(n, path));
  return errs;
}
