/**
 * @module A pod's QoS class as the node agent uses it (cgroup parent, containers' oom_score_adj):
 * the one the API server recorded in status, else computed the same way (src/api/pod-qos.ts).
 */
import type { Obj } from '../../client/client.js';
import { podQOSClass, type QOSClass } from '../../api/pod-qos.js';

export type { QOSClass };

/** status.qosClass when set (it never changes once set), else computed from the containers' resources. */
export function qosClass(pod: Obj): QOSClass {
  const recorded = pod.status?.qosClass;
  if (recorded === 'Guaranteed' || recorded === 'Burstable' || recorded === 'BestEffort') return recorded;
  return podQOSClass(pod);
}
