/** @module core/v1 and events.k8s.io/v1 Event rules: the involved object's namespace, and the newer API's required fields. */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import { invalid, invalidEach, required, type FieldError } from '../../apimachinery/validation/field.js';
import { isQualifiedName } from '../../apimachinery/validation/names.js';
import type { KindRules } from './types.js';

/** An event lives in its object's namespace (cluster-scoped objects' events go to "default" or none). */
function validateCoreEvent(e: CoreEvent): FieldError[] {
  const ns = e.metadata?.namespace ?? '', objNs = e.involvedObject?.namespace ?? '';
  const ok = objNs ? ns === objNs : ns === '' || ns === 'default';
  return ok ? [] : [invalid('involvedObject.namespace', objNs, 'does not match event.namespace')];
}

const lengthLimit = (value: string | undefined, max: number, path: string): FieldError[] =>
  (value ?? '').length > max ? [invalid(path, '', `can have at most ${max} characters`)] : [];

function validateEvent(e: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = e.metadata?.namespace ?? '', objNs = e.regarding?.namespace ?? '';
  if (objNs ? ns !== objNs : ns !== '' && ns !== 'default') errs.push(invalid('regarding.namespace', objNs, 'does not match event.namespace'));
  if (!e.reportingController) errs.push(required('reportingController'));
  else errs.push(...invalidEach('reportingController', e.reportingController, isQualifiedName(e.reportingController)));
  if (!e.reportingInstance) errs.push(required('reportingInstance'));
  errs.push(...lengthLimit(e.reportingInstance, 128, 'reportingInstance'));
  if (!e.action) errs.push(required('action'));
  errs.push(...lengthLimit(e.action, 128, 'action'));
  if (!e.reason) errs.push(required('reason'));
  errs.push(...lengthLimit(e.reason, 128, 'reason'));
  errs.push(...lengthLimit(e.note, 1024, 'note'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${e.type ?? ''}`));
  if (!e.eventTime) errs.push(required('eventTime'));
  return errs;
}

export const coreEventRules: KindRules = { spec: validateCoreEvent };
export const eventRules: KindRules = { spec: validateEvent };
