/**
 * @module apps/v1 StatefulSet rules: policies, selector and template on create; on update only the
 * fields upstream lets change.
 */
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { deepEqual, forbidden, invalid, nonNegative, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import type { KindRules } from './types.js';
import {
  isNotMoreThan100Percent, validateLongRunningTemplate, validatePositiveIntOrPercent, validateReplicaStatus,
  validateSelectorMatchesTemplate, validateWorkloadSelector,
} from './workload.js';

const retentionPolicies = ['Delete', 'Retain'];

function validatePolicies(spec: StatefulSetSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = spec?.podManagementPolicy;
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec?.updateStrategy;
  switch (us?.type ?? '') {
    case '': errs.push(required('spec.updateStrategy')); break;
    case 'OnDelete':
      if (us?.rollingUpdate) errs.push(invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate': {
      const ru = us?.rollingUpdate;
      const p = 'spec.updateStrategy.rollingUpdate';
      if (ru) {
        errs.push(...nonNegative(`${p}.partition`, ru.partition));
        if (ru.maxUnavailable !== undefined) {
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
        }
      }
      break;
    }
    default:
      errs.push(invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const rp = spec?.persistentVolumeClaimRetentionPolicy;
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = rp?.[f];
    if (v !== undefined && !retentionPolicies.includes(v)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, retentionPolicies));
  }
  return errs;
}

function validateStatefulSetSpec(sts: StatefulSet): FieldError[] {
  const spec = sts.spec;
  const errs = validatePolicies(spec);
  errs.push(...nonNegative('spec.replicas', spec?.replicas), ...nonNegative('spec.minReadySeconds', spec?.minReadySeconds));
  if (spec?.ordinals) errs.push(...nonNegative('spec.ordinals.start', spec.ordinals.start));
  errs.push(...validateWorkloadSelector(spec?.selector, 'statefulset', 'spec.selector'));
  errs.push(...validateSelectorMatchesTemplate(spec?.selector, spec?.template, 'spec.template'));
  // Claim templates become volumes of each pod, so mounts may name them.
  const claims = (spec?.volumeClaimTemplates ?? []).map((c) => ({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: c.metadata?.name ?? '' } }));
  const template = spec?.template && { ...spec.template, spec: spec.template.spec && { ...spec.template.spec, volumes: [...(spec.template.spec.volumes ?? []), ...claims] } };
  errs.push(...validateLongRunningTemplate(template, 'StatefulSet', 'spec.template'));
  return errs;
}

const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (s: StatefulSetSpec | undefined) =>
    Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutableSpecFields.includes(k)));
  return deepEqual(strip(sts.spec), strip(old.spec)) ? [] : [forbidden('spec',
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

export const statefulSetRules: KindRules = {
  spec: validateStatefulSetSpec,
  update: validateStatefulSetUpdate,
  status: (sts: StatefulSet) => validateReplicaStatus(sts.status, ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']),
};
