/**
 * @module apps/v1 Deployment, ReplicaSet and ControllerRevision rules (pkg/apis/apps/validation), with
 * the immutable selector that apps/v1 enforces on update.
 */
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { forbidden, immutable, invalid, nonNegative, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import type { KindRules } from './types.js';
import {
  intOrPercentValue, isNotMoreThan100Percent, validateLongRunningTemplate, validatePositiveIntOrPercent,
  validateReplicaStatus, validateSelectorMatchesTemplate, validateWorkloadSelector,
} from './workload.js';

function validateDeploymentStrategy(strategy: DeploymentStrategy | undefined, path: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      return [...errs, ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`)];
    }
    default:
      return [notSupported(path, s, ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(d: Deployment): FieldError[] {
  const spec = d.spec;
  const errs = nonNegative('spec.replicas', spec?.replicas);
  errs.push(...validateWorkloadSelector(spec?.selector, 'deployment', 'spec.selector'));
  errs.push(...validateSelectorMatchesTemplate(spec?.selector, spec?.template, 'spec.template'));
  errs.push(...validateLongRunningTemplate(spec?.template, 'ReplicaSet', 'spec.template'));
  errs.push(...validateDeploymentStrategy(spec?.strategy, 'spec.strategy'));
  errs.push(...nonNegative('spec.minReadySeconds', spec?.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec?.revisionHistoryLimit));
  const pds = spec?.progressDeadlineSeconds;
  if (pds !== undefined) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', pds));
    if (pds <= (spec?.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateReplicaSetSpec(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec;
  return [
    ...nonNegative('spec.replicas', spec?.replicas),
    ...nonNegative('spec.minReadySeconds', spec?.minReadySeconds),
    // Upstream's ReplicaSet message says "deployment" too.
    ...validateWorkloadSelector(spec?.selector, 'deployment', 'spec.selector'),
    ...validateSelectorMatchesTemplate(spec?.selector, spec?.template, 'spec.template'),
    ...validateLongRunningTemplate(spec?.template, 'ReplicaSet', 'spec.template'),
  ];
}

const selectorImmutable = (obj: any, old: any) => immutable('spec.selector', obj.spec?.selector, old.spec?.selector);

export const deploymentRules: KindRules = {
  spec: validateDeploymentSpec,
  update: selectorImmutable,
  status: (d: Deployment) => validateReplicaStatus(d.status,
    ['updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']),
};

export const replicaSetRules: KindRules = {
  spec: validateReplicaSetSpec,
  update: selectorImmutable,
  status: (rs: ReplicaSet) => validateReplicaStatus(rs.status,
    ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
};

export const controllerRevisionRules: KindRules = {
  spec: (cr: { revision?: number }) => nonNegative('revision', cr.revision),
  update: (cr: { data?: unknown }, old: { data?: unknown }) => immutable('data', cr.data, old.data),
};
