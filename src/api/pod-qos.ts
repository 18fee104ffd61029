/**
 * @module A pod's QoS class (pkg/apis/core/helper/qos.GetPodQOS), shared by the API server (which
 * records it in status on create) and the node agent (cgroup parent, oom_score_adj).
 */
import { add, compare, isZero, parseQuantity, type Quantity } from '../apimachinery/quantity/index.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

type Resources = Record<string, string> | undefined;
interface Container { resources?: { requests?: Resources; limits?: Resources } }
export interface PodLike { spec?: { containers?: Container[]; initContainers?: Container[] }; status?: unknown }

const QOS_RESOURCES = ['cpu', 'memory'];

/** BestEffort without cpu/memory requests or limits; Guaranteed when every container's limits equal its requests for both; else Burstable. */
export function podQOSClass(pod: PodLike): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const sum = (into: Map<string, Quantity>, from: Resources) => {
    const found = new Set<string>();
    for (const [name, v] of Object.entries(from ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      let q: Quantity;
      try { q = parseQuantity(String(v)); } catch { continue; }
      if (isZero(q)) continue;
      found.add(name);
      const prev = into.get(name);
      into.set(name, prev ? add(prev, q) : q);
    }
    return found;
  };
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    sum(requests, c.resources?.requests);
    const found = sum(limits, c.resources?.limits);
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compare(lim, req) !== 0) { guaranteed = false; break; }
    }
  }
  return guaranteed && limits.size === requests.size ? 'Guaranteed' : 'Burstable';
}
