/** @module apps/v1 DaemonSet rules: selector, template, and the rolling-update surge/unavailable pair. */
import type { DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import { immutable, invalid, nonNegative, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import type { KindRules } from './types.js';
import {
  intOrPercentValue, isNotMoreThan100Percent, validateLongRunningTemplate, validatePositiveIntOrPercent,
  validateSelectorMatchesTemplate, validateWorkloadSelector,
} from './workload.js';

function validateUpdateStrategy(s: DaemonSetUpdateStrategy | undefined, path: string): FieldError[] {
  switch (s?.type) {
    case 'OnDelete': return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`)];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
        ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
      ];
      // Exactly one of the two may be non-zero.
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0, surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge) errs.push(invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!unavailable && !surge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(path, s ?? {}, ['RollingUpdate', 'OnDelete'])];
  }
}

function validateDaemonSetSpec(ds: DaemonSet): FieldError[] {
  const spec = ds.spec;
  return [
    ...validateWorkloadSelector(spec?.selector, 'daemonset', 'spec.selector'),
    ...validateSelectorMatchesTemplate(spec?.selector, spec?.template, 'spec.template'),
    ...validateLongRunningTemplate(spec?.template, 'DaemonSet', 'spec.template'),
    ...nonNegative('spec.minReadySeconds', spec?.minReadySeconds),
    ...validateUpdateStrategy(spec?.updateStrategy, 'spec.updateStrategy'),
    ...nonNegative('spec.revisionHistoryLimit', spec?.revisionHistoryLimit),
  ];
}

function validateDaemonSetStatus(ds: DaemonSet): FieldError[] {
  const s = (ds.status ?? {}) as unknown as Record<string, number | undefined>;
  return ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
    'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'].flatMap((f) => nonNegative(`status.${f}`, s[f]));
}

export const daemonSetRules: KindRules = {
  spec: validateDaemonSetSpec,
  update: (ds: DaemonSet, old: DaemonSet) => immutable('spec.selector', ds.spec?.selector, old.spec?.selector),
  status: validateDaemonSetStatus,
};
