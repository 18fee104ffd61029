/** @module discovery.k8s.io/v1 defaulting: EndpointSlice port names and protocols. */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function defaultEndpointSlice(es: EndpointSlice): void {
  for (const p of es.ports ?? []) {
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}
