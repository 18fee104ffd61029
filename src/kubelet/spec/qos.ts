/**
 * @module A pod's QoS class (pkg/apis/core/v1/helper/qos.GetPodQOS): it decides the pod's cgroup
 * parent and its containers' oom_score_adj.
 */
import type { Obj } from '../../client/client.js';
import { add, compare, isZero, parseQuantity, type Quantity } from '../../apimachinery/quantity/index.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

/** Adds the non-zero cpu/memory amounts of `from` into `into`; returns the names found. */
function sum(into: Map<string, Quantity>, from: Record<string, string> | undefined): Set<string> {
  const found = new Set<string>();
  for (const [name, v] of Object.entries(from ?? {})) {
    if (!QOS_RESOURCES.includes(name)) continue;
    const q = parseQuantity(String(v));
    if (isZero(q)) continue;
    found.add(name);
    const prev = into.get(name);
    into.set(name, prev ? add(prev, q) : q);
  }
  return found;
}

/**
 * status.qosClass when set (it never changes once set), else computed: BestEffort without any
 * cpu/memory request or limit; Guaranteed when every container limits both and requests equal
 * limits; else Burstable. Throws QuantityError on a malformed quantity.
 */
export function qosClass(pod: Obj): QOSClass {
  const recorded = pod.status?.qosClass;
  if (recorded === 'Guaranteed' || recorded === 'Burstable' || recorded === 'BestEffort') return recorded;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    sum(requests, c.resources?.requests);
    const found = sum(limits, c.resources?.limits);
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compare(lim, req) !== 0) return 'Burstable';
    }
  }
  return guaranteed && limits.size === requests.size ? 'Guaranteed' : 'Burstable';
}
