/**
 * @module pods/eviction (policy/v1 Eviction): deletes a pod unless a PodDisruptionBudget that
 * selects it allows no more disruptions, as the eviction REST of kube-apiserver.
 */
import { lookupResource } from '../../api/scheme.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import { newBadRequest, newTooManyRequests, StatusError } from '../../apimachinery/errors.js';
import { nowRFC3339, type Obj } from './object-meta.js';
import { SUCCESS_CREATED } from './pod-binding.js';
import type { ResourceStorage } from './resource-storage.js';
import type { StorageRegistry } from './registry.js';

export async function evictPod(registry: StorageRegistry, pods: ResourceStorage, ns: string, name: string, eviction: Obj,
  dryRun: boolean): Promise<Obj> {
  if (eviction?.metadata?.name && eviction.metadata.name !== name) {
    throw newBadRequest('name in URL does not match name in Eviction object');
  }
  const pod = await pods.get(ns, name);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (!terminal && !pod.metadata.deletionTimestamp) await takeDisruption(registry, pod, dryRun);
  const opts = eviction?.deleteOptions ?? {};
  await pods.delete(ns, name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: opts.preconditions, dryRun });
  return SUCCESS_CREATED;
}

/** Takes one allowed disruption from the single PDB selecting the pod (429 when none is left). */
async function takeDisruption(registry: StorageRegistry, pod: Obj, dryRun: boolean): Promise<void> {
  const pdbs = registry.storageFor(lookupResource('policy', 'v1', 'poddisruptionbudgets')!);
  const labels = pod.metadata.labels ?? {};
  const { items } = await pdbs.list(pod.metadata.namespace, {});
  const matching = items.filter((p) => p.spec?.selector && matches(fromLabelSelector(p.spec.selector), labels));
  if (matching.length === 0) return;
  if (matching.length > 1) {
    throw new StatusError({ ...newTooManyRequests('').status, code: 500, reason: 'InternalError',
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
  }
  const pdb = matching[0];
  const violation = `Cannot evict pod as it would violate the pod's disruption budget.`;
  await pdbs.update(pdb.metadata.namespace, pdb.metadata.name, (cur) => {
    const status = (cur.status ??= {});
    if ((status.observedGeneration ?? 0) < (cur.metadata.generation ?? 1)) {
      throw newTooManyRequests(`${violation} The disruption budget ${cur.metadata.name} is still being processed by the server.`, 10);
    }
    if ((status.disruptionsAllowed ?? 0) <= 0) {
      throw newTooManyRequests(`${violation} The disruption budget ${cur.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`, 10);
    }
    status.disruptionsAllowed -= 1;
    status.disruptedPods = { ...(status.disruptedPods ?? {}), [pod.metadata.name]: nowRFC3339() };
    return cur;
  }, { dryRun, subresource: 'status' });
}
