/** @module core/v1 PersistentVolume and PersistentVolumeClaim rules: access modes, sizes, sources, immutability. */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { deepEqual, forbidden, invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { validateLabelSelector } from '../../apimachinery/validation/labels.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation/names.js';
import { quantityString as formatQuantity } from '../../apimachinery/quantity/index.js';
import { quantityAt } from './resources.js';
import type { KindRules } from './types.js';
import { validateHostPath } from './volume.js';

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];
// PV spec fields that are not volume sources.
const pvNonSources = new Set(['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName',
  'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName']);

function validateAccessModes(modes: string[] | undefined, path: string, detail: string): FieldError[] {
  if (!modes?.length) return [required(path, detail)];
  const errs = modes.filter((m) => !accessModes.includes(m)).map((m) => notSupported(path, m, accessModes));
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod')) {
    errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A size that must be strictly positive (claims' requests, volumes' capacity). */
function validatePositiveQuantity(value: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const q = quantityAt(value, path, errs, false);
  if (q && q.unscaled <= 0n) errs.push(invalid(path, formatQuantity(q), 'must be greater than zero'));
  return errs;
}

function validateClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const spec = pvc.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required('spec.resources[storage]'));
  else errs.push(...validatePositiveQuantity(storage, 'spec.resources[storage]'));
  if (spec.storageClassName) errs.push(...invalidEach('spec.storageClassName', spec.storageClassName, nameIsDNSSubdomain(spec.storageClassName, false)));
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, volumeModes));
  return errs;
}

/** A claim's spec is fixed once created, except growing its request and binding it to a volume. */
function validateClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const strip = (c: PersistentVolumeClaim) => {
    const s = structuredClone(c.spec ?? {});
    delete s.resources?.requests?.storage;
    if (!old.spec?.volumeName) delete s.volumeName;
    return s;
  };
  return deepEqual(strip(pvc), strip(old)) ? [] : [forbidden('spec',
    'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
}

function validateVolume(pv: PersistentVolume): FieldError[] {
  const spec = (pv.spec ?? {}) as Record<string, any>;
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');
  const capacity: Record<string, string> = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errs.push(required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const [k, v] of Object.entries(capacity)) errs.push(...validatePositiveQuantity(v, `spec.capacity[${k}]`));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !reclaimPolicies.includes(policy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, reclaimPolicies));
  if (spec.storageClassName) errs.push(...invalidEach('spec.storageClassName', spec.storageClassName, nameIsDNSSubdomain(spec.storageClassName, false)));
  const sources = Object.keys(spec).filter((k) => !pvNonSources.has(k) && spec[k] != null);
  if (!sources.length) errs.push(required('spec', 'must specify a volume type'));
  sources.slice(1).forEach((k) => errs.push(forbidden(`spec.${k}`, 'may not specify more than 1 volume type')));
  if (sources[0] === 'hostPath') errs.push(...validateHostPath(spec.hostPath, 'spec.hostPath'));
  if (sources[0] === 'local') {
    const p: string = spec.local.path ?? '';
    if (!p) errs.push(required('spec.local.path'));
    else if (!p.startsWith('/')) errs.push(invalid('spec.local.path', p, 'must be an absolute path'));
    if (!spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, volumeModes));
  return errs;
}

export const persistentVolumeClaimRules: KindRules = { spec: validateClaim, update: validateClaimUpdate };
export const persistentVolumeRules: KindRules = { spec: validateVolume };
