/**
 * @module PodSpec and PodTemplateSpec validation (ValidatePodSpec, ValidatePodTemplateSpec), shared by
 * Pods and every workload's template.
 */
import type { PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { validateAnnotations, validateLabelName, validateLabels } from '../../apimachinery/validation/labels.js';
import { inclusiveRangeError, isDNS1123Label, isValidLabelValue, nameIsDNSSubdomain } from '../../apimachinery/validation/names.js';
import { validateContainers, validateInitContainers } from './container.js';
import { validateVolumes } from './volume.js';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const maxInt32 = 2 ** 31 - 1;

/** A required enumerated string: Required when empty, NotSupported when unknown. */
export function validateEnum(value: string | undefined, valid: string[], path: string): FieldError[] {
  if (!value) return [required(path)];
  return valid.includes(value) ? [] : [notSupported(path, value, valid)];
}

export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: string): FieldError[] {
  if (!effect) return allowEmpty ? [] : [required(path)];
  return taintEffects.includes(effect) ? [] : [notSupported(path, effect, taintEffects)];
}

export function validateTolerations(tolerations: Toleration[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const at = `${path}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${at}.key`));
    // An empty key with Exists matches every taint; with Equal it could match nothing sensible.
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${at}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(`${at}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(`${at}.operator`, t.value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${at}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${at}.operator`, t.operator, ['Equal', 'Exists']));
    }
    errs.push(...validateTaintEffect(t.effect, true, `${at}.effect`));
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const s: PodSpec = spec ?? { containers: [] };
  const { names: volumes, errs } = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...validateContainers(s.containers, volumes, `${path}.containers`));
  errs.push(...validateInitContainers(s.initContainers, s.containers ?? [], volumes, `${path}.initContainers`));
  if (s.hostNetwork) {
    for (const [list, key] of [[s.containers, 'containers'], [s.initContainers, 'initContainers']] as const) {
      (list ?? []).forEach((c, ci) => (c.ports ?? []).forEach((p, pi) => {
        if (p.hostPort !== p.containerPort) {
          errs.push(invalid(`${path}.${key}[${ci}].ports[${pi}].containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      }));
    }
  }
  errs.push(...validateEnum(s.restartPolicy, restartPolicies, `${path}.restartPolicy`));
  errs.push(...validateEnum(s.dnsPolicy, dnsPolicies, `${path}.dnsPolicy`));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.serviceAccountName) errs.push(...invalidEach(`${path}.serviceAccountName`, s.serviceAccountName, nameIsDNSSubdomain(s.serviceAccountName, false)));
  if (s.nodeName) errs.push(...invalidEach(`${path}.nodeName`, s.nodeName, nameIsDNSSubdomain(s.nodeName, false)));
  if (s.activeDeadlineSeconds !== undefined && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > maxInt32)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)));
  }
  if (s.hostname) errs.push(...invalidEach(`${path}.hostname`, s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...invalidEach(`${path}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)));
  if (s.tolerations?.length) errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  if (s.priorityClassName) errs.push(...invalidEach(`${path}.priorityClassName`, s.priorityClassName, nameIsDNSSubdomain(s.priorityClassName, false)));
  if (s.preemptionPolicy !== undefined) errs.push(...validateEnum(s.preemptionPolicy, ['PreemptLowerPriority', 'Never'], `${path}.preemptionPolicy`));
  return errs;
}

/** Labels sit at `template.labels` (not `template.metadata.labels`) in upstream's paths. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  const errs = [
    ...validateLabels(t?.metadata?.labels, `${path}.labels`),
    ...validateAnnotations(t?.metadata?.annotations, `${path}.annotations`),
    ...validatePodSpec(t?.spec, `${path}.spec`),
  ];
  if ((t?.spec as { ephemeralContainers?: unknown[] } | undefined)?.ephemeralContainers?.length) {
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
