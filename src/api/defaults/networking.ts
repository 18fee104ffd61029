/** @module networking.k8s.io/v1 defaulting: NetworkPolicy port protocols and policy types, IngressClass parameter scope. */
import type { IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';

export function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = np.spec;
  if (!spec) return;
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
  // A policy that names no types governs ingress, and egress too when it has egress rules.
  if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

export function defaultIngressClass(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params) params.scope ??= 'Cluster';
}
