/**
 * @module The node addresses LoadBalancer services get, as k3s's ServiceLB picks its nodes: Ready
 * and schedulable nodes; when any node carries the label svccontroller.k3s.cattle.io/enablelb,
 * only those where it is "true". Each gives its InternalIPs.
 */
import type { Obj } from '../../client/client.js';

export const EnableLBLabel = 'svccontroller.k3s.cattle.io/enablelb';

const isReady = (node: Obj) => (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
const internalIPs = (node: Obj): string[] =>
  (node.status?.addresses ?? []).filter((a: Obj) => a.type === 'InternalIP').map((a: Obj) => a.address as string);

/** What decides a node's part in the addresses (a change of anything else, e.g. a heartbeat, changes nothing). */
export const nodeFacts = (node: Obj): string =>
  JSON.stringify([isReady(node), Boolean(node.spec?.unschedulable), internalIPs(node), node.metadata?.labels?.[EnableLBLabel] ?? null]);

/** The InternalIPs of the nodes that serve LoadBalancer services, sorted (as k3s sorts them: as strings), without repeats. */
export function loadBalancerIPs(nodes: Obj[]): string[] {
  const selecting = nodes.some((n) => n.metadata?.labels?.[EnableLBLabel] !== undefined);
  const ips = new Set<string>();
  for (const n of nodes) {
    if (selecting && n.metadata?.labels?.[EnableLBLabel] !== 'true') continue;
    if (!isReady(n) || n.spec?.unschedulable) continue;
    for (const ip of internalIPs(n)) ips.add(ip);
  }
  return [...ips].sort();
}
