/**
 * @module The built-in admission chain every write goes through: defaulting, validation and
 * managedFields bookkeeping (RBAC, quotas and webhooks slot in here later).
 */
import { apiVersionOf } from '../../api/scheme.js';
import { applyDefaults, jobSelectorDefaults } from '../../api/defaults/index.js';
import { validate, validateStatusUpdate } from '../../api/validation/index.js';
import { schemas } from '../../api/openapi/schema.js';
import { updateManagedFields } from '../../apimachinery/managedfields/index.js';
import { nowRFC3339 } from '../registry/object-meta.js';
import type { Admission } from '../registry/resource-storage.js';
import { addDefaultTolerations } from './default-tolerations.js';

export const builtinAdmission: Admission = {
  mutate(t, obj, old) {
    applyDefaults(t, obj);
    // A new Job selects its pods by its own uid (the Job registry strategy's generated selector).
    if (!old && t.group === 'batch' && t.kind === 'Job') jobSelectorDefaults(obj, obj.metadata.uid);
    if (!old && t.group === '' && t.kind === 'Pod') addDefaultTolerations(obj);
  },
  validate(t, obj, old, subresource) {
    if (subresource === 'status' && old) return validateStatusUpdate(t, obj, old);
    return validate(t, obj, old);
  },
  trackFields(t, obj, old, w) {
    if (w.apply) return;
    const { managedFields } = updateManagedFields(old, obj, { manager: w.fieldManager ?? 'unknown', operation: 'Update',
      apiVersion: apiVersionOf(t), subresource: w.subresource || undefined, time: nowRFC3339(), schemas });
    obj.metadata ??= {};
    if (managedFields.length) obj.metadata.managedFields = managedFields;
    else delete obj.metadata.managedFields;
  },
};
