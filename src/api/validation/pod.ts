/**
 * @module Pod rules: the spec on create, upstream's narrow set of mutable fields on update (images,
 * activeDeadlineSeconds, added tolerations, schedulingGates removal), and the status write checks.
 */
import type { Container, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { deepEqual, forbidden, invalid, invalidEach, required, type FieldError } from '../../apimachinery/validation/field.js';
import { inclusiveRangeError, isValidIP } from '../../apimachinery/validation/names.js';
import { validatePodSpec, validateTolerations } from './pod-spec.js';
import type { KindRules } from './types.js';

const maxInt32 = 2 ** 31 - 1;

export const podUpdateForbiddenMsg = 'pod updates may not change fields other than `spec.containers[*].image`,' +
  '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Container lists may not grow or shrink, and every image stays required; `stop` ends the update checks. */
function validateContainerUpdates(next: Container[] | undefined, prev: Container[] | undefined, path: string): { errs: FieldError[]; stop: boolean } {
  const n = next ?? [], o = prev ?? [];
  if (n.length !== o.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  return { errs: n.flatMap((c, i) => (c.image ? [] : [required(`${path}[${i}].image`)])), stop: false };
}

/** Old tolerations must all remain (tolerationSeconds may change); new ones may be added. */
function validateOnlyAddedTolerations(next: Toleration[], prev: Toleration[], path: string): FieldError[] {
  for (const o of prev) {
    if (!next.some((n) => deepEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n))) {
      return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
    }
  }
  return validateTolerations(next, path);
}

/** A short line-per-field diff shown under the Forbidden message, like upstream's cmp.Diff. */
export function specDiff(prev: unknown, next: unknown, path = ''): string[] {
  if (deepEqual(prev, next)) return [];
  const isObj = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObj(prev) && isObj(next) && Array.isArray(prev) === Array.isArray(next)) {
    const p = prev as Record<string, unknown>, n = next as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(p), ...Object.keys(n)])];
    const sub = (k: string) => (Array.isArray(prev) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    return keys.flatMap((k) => specDiff(p[k], n[k], sub(k)));
  }
  const out: string[] = [];
  if (prev !== undefined) out.push(`- \t${path}: ${JSON.stringify(prev)}`);
  if (next !== undefined) out.push(`+ \t${path}: ${JSON.stringify(next)}`);
  return out;
}

function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pod.spec ?? { containers: [] }, oldSpec = old.spec ?? { containers: [] };
  for (const key of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(spec[key], oldSpec[key], `spec.${key}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined) {
    if (ads < 0 || ads > maxInt32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, maxInt32))];
    if (oldSpec.activeDeadlineSeconds !== undefined && oldSpec.activeDeadlineSeconds < ads) {
      return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (oldSpec.activeDeadlineSeconds !== undefined) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations ?? [], oldSpec.tolerations ?? [], 'spec.tolerations'));
  const oldGates = (oldSpec.schedulingGates ?? []).map((g) => g.name);
  if ((spec.schedulingGates ?? []).some((g) => !oldGates.includes(g.name))) {
    errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));
  }
  // Put the mutable fields back to their old values; whatever still differs was not allowed to change.
  const munged: PodSpec = {
    ...structuredClone(spec),
    containers: (spec.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i].image })),
    activeDeadlineSeconds: oldSpec.activeDeadlineSeconds,
    tolerations: oldSpec.tolerations,
    schedulingGates: oldSpec.schedulingGates,
  };
  if (spec.initContainers) munged.initContainers = spec.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i].image }));
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden('spec', `${podUpdateForbiddenMsg}\n${specDiff(oldSpec, munged).join('\n')}`));
  }
  return errs;
}

/**
 * Status writes: the node stays (the server is expected to keep the stored spec, as upstream's status
 * strategy does, so this only fires on a spec sent with a different node), pod IPs are IPs, and a
 * container that may not restart never leaves its terminated state.
 */
function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  if (pod.spec && (pod.spec.nodeName ?? '') !== (old.spec?.nodeName ?? '')) {
    errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  }
  (pod.status?.podIPs ?? []).forEach((p, i) => errs.push(...invalidEach(`status.podIPs[${i}].ip`, p.ip, isValidIP(p.ip ?? ''))));
  const policy = old.spec?.restartPolicy;
  if (policy === 'Never' || policy === 'OnFailure') {
    const oldStatuses = old.status?.containerStatuses ?? [];
    (pod.status?.containerStatuses ?? []).forEach((cs, i) => {
      const prev = oldStatuses.find((o) => o.name === cs.name)?.state?.terminated;
      if (!prev || cs.state?.terminated) return;
      if (policy === 'Never' || prev.exitCode === 0) {
        errs.push(forbidden(`status.containerStatuses[${i}].state`, 'may not be transitioned to non-terminated state'));
      }
    });
  }
  return errs;
}

export const podRules: KindRules = {
  spec: (pod: Pod) => validatePodSpec(pod.spec, 'spec'),
  update: validatePodUpdate,
  status: validatePodStatusUpdate,
};
