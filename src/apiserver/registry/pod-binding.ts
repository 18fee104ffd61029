/**
 * @module pods/binding: assigns a pending pod to a node (the scheduler's write), once. As
 * upstream's BindingREST (setPodHostAndAnnotations), the pod is changed directly in storage: no
 * admission of the pod, no managedFields entry — a binding is the scheduler's hot path.
 */
import { newBadRequest, newConflict } from '../../apimachinery/errors.js';
import { nowRFC3339, type Obj } from './object-meta.js';
import type { ResourceStorage } from './resource-storage.js';

export const SUCCESS_CREATED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

export async function bindPod(pods: ResourceStorage, ns: string, urlName: string, binding: Obj, dryRun: boolean): Promise<Obj> {
  const name = urlName || binding?.metadata?.name;
  if (binding?.metadata?.name && urlName && binding.metadata.name !== urlName) {
    throw newBadRequest('name in URL does not match name in Binding object');
  }
  const node = binding?.target?.name;
  if (!node) throw newBadRequest('Binding.target.name: Required value');
  await pods.updateDirect(ns, name, (pod) => {
    // The Binding's uid and resourceVersion, when set, are preconditions on the pod (upstream's assignPod).
    const pre = binding.metadata ?? {};
    if (pre.uid && pre.uid !== pod.metadata.uid) {
      throw newConflict(pods.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
      throw newConflict(pods.gr, name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
    }
    if (pod.metadata.deletionTimestamp) throw newConflict(pods.gr, name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec.nodeName) throw newConflict(pods.gr, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = node;
    if (binding.metadata?.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...binding.metadata.annotations };
    pod.status ??= {};
    const conditions = (pod.status.conditions ??= []) as Obj[];
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339() };
    const i = conditions.findIndex((c) => c.type === 'PodScheduled');
    if (i >= 0) conditions[i] = scheduled; else conditions.push(scheduled);
  }, dryRun);
  return SUCCESS_CREATED;
}
