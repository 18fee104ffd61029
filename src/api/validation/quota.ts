/** @module core/v1 ResourceQuota and LimitRange rules: resource names and quantities in their lists. */
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { notSupported, type FieldError } from '../../apimachinery/validation/field.js';
import { validateResourceList } from './resources.js';
import type { KindRules } from './types.js';

const limitTypes = ['Container', 'PersistentVolumeClaim', 'Pod'];

function validateLimitRange(lr: LimitRange): FieldError[] {
  return (lr.spec?.limits ?? []).flatMap((item, i) => {
    const at = `spec.limits[${i}]`;
    const errs = limitTypes.includes(item.type) ? [] : [notSupported(`${at}.type`, item.type, limitTypes)];
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      errs.push(...validateResourceList(item[f], `${at}.${f}`));
    }
    return errs;
  });
}

export const resourceQuotaRules: KindRules = {
  spec: (q: ResourceQuota) => validateResourceList(q.spec?.hard, 'spec.hard'),
  status: (q: ResourceQuota) => [...validateResourceList(q.status?.hard, 'status.hard'), ...validateResourceList(q.status?.used, 'status.used')],
};
export const limitRangeRules: KindRules = { spec: validateLimitRange };
