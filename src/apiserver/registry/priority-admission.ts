/**
 * @module Priority admission, as upstream's plugin: a new pod's priorityClassName resolves to
 * spec.priority and spec.preemptionPolicy; a missing class is refused; the global default class
 * (or 0) applies when none is named. The two system classes always exist.
 */
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { isNotFound, newForbidden } from '../../apimachinery/errors.js';
import type { Obj } from './object-meta.js';
import type { ResourceStorage } from './resource-storage.js';

/** Built in, as kube-apiserver's scheduling bootstrap classes. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

export function priorityAdmission(storageFor: (t: ResourceType) => ResourceStorage) {
  const classesType = lookupResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  return async (pod: Obj): Promise<void> => {
    const spec = (pod.spec ??= {});
    const name: string | undefined = spec.priorityClassName;
    let cls: Obj | undefined;
    if (name && SYSTEM_PRIORITY_CLASSES[name] !== undefined) {
      cls = { value: SYSTEM_PRIORITY_CLASSES[name], preemptionPolicy: 'PreemptLowerPriority' };
    } else if (name) {
      try {
        cls = await storageFor(classesType).get('', name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw newForbidden({ group: '', resource: 'pods' }, pod.metadata?.name ?? '', `no PriorityClass with name ${name} was found`);
      }
    } else {
      const { items } = await storageFor(classesType).list('');
      cls = items.find((c) => c.globalDefault === true);
      if (cls) spec.priorityClassName = cls.metadata.name;
    }
    const priority = cls?.value ?? 0;
    if (spec.priority !== undefined && spec.priority !== priority && name) {
      throw newForbidden({ group: '', resource: 'pods' }, pod.metadata?.name ?? '',
        'the integer value of priority (' + spec.priority + ') must not be provided in pod spec; priority admission controller computed ' + priority + ' from the given PriorityClass name');
    }
    spec.priority = priority;
    const policy = cls?.preemptionPolicy;
    if (policy && spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw newForbidden({ group: '', resource: 'pods' }, pod.metadata?.name ?? '',
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy ?? spec.preemptionPolicy ?? 'PreemptLowerPriority';
  };
}
