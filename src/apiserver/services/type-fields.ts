/**
 * @module What a service update keeps or drops before admission, as upstream's service registry:
 * values the server allocated stay when a client resubmits its YAML without them
 * (patchAllocatedValues), and fields the new type has no use for go when the client left them
 * as they were (dropTypeDependentFields) — they are released after the write.
 */
import type { Service } from 'kubernetes-types/core/v1.js';

export const needsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName';
export const needsNodePort = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
export const needsHealthCheckNodePort = (s: Service) => s.spec?.type === 'LoadBalancer' && s.spec?.externalTrafficPolicy === 'Local';
export const isHeadless = (s: Service) => s.spec?.clusterIP === 'None' || s.spec?.clusterIPs?.[0] === 'None';

/** Every node port a service's ports name (the health-check port is separate). */
export const nodePortsOf = (s: Service) => new Set((s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
const sameList = (a?: unknown[], b?: unknown[]) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** Copies allocated values from old into next where next left them out. */
export function patchAllocatedValues(next: Service, old: Service): void {
  const spec = (next.spec ??= {});
  if (needsClusterIP(old) && needsClusterIP(next)) {
    if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs?.length && old.spec?.clusterIPs?.length) spec.clusterIPs = [...old.spec.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(next)) {
    // A node port still named in next cannot be patched onto another of its ports.
    const kept = nodePortsOf(next);
    const byName = new Map((old.spec?.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const was = byName.get(p.name ?? '') ?? 0;
      if (was && !kept.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(next) && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = old.spec?.healthCheckNodePort;
  }
}

/** Clears what the new type does not use, when the client did not change it. */
export function dropTypeDependentFields(next: Service, old: Service): void {
  const spec = (next.spec ??= {});
  const o = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(next)) {
    if (spec.clusterIP === o.clusterIP && sameList(spec.clusterIPs, o.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameList(spec.ipFamilies, o.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === o.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  // Users may add, remove or change ports, as long as no new node port appears.
  if (needsNodePort(old) && !needsNodePort(next) && [...nodePortsOf(next)].every((n) => nodePortsOf(old).has(n))) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(next) && spec.healthCheckNodePort === o.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === o.loadBalancerClass) delete spec.loadBalancerClass;
  }
  const external = (s: Service) => needsNodePort(s) || (s.spec?.type === 'ClusterIP' && (s.spec?.externalIPs ?? []).length > 0);
  if (external(old) && !external(next) && spec.externalTrafficPolicy === o.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  // The load balancer's status goes with the type (its release is the servicelb controller's).
  if (spec.type !== 'LoadBalancer' && next.status?.loadBalancer) Object.assign(next, { status: { ...next.status, loadBalancer: {} } });
}
