/**
 * @module An Ingress backend resolved straight to endpoints (no ClusterIP hop): the Service's port
 * by number or name, then each EndpointSlice port of the same name (slices carry the target port),
 * and the slice endpoints that are ready — or serving and terminating when none is ready, as
 * kube-proxy falls back.
 */
import type { Obj } from '../../client/client.js';
import { categorize, endpointsForPort } from '../../api/slice-endpoints.js';
import type { Backend } from '../types.js';

/** What the resolution reads: the caches of Services and EndpointSlices. */
export interface ServiceSource {
  service(namespace: string, name: string): Obj | undefined;
  /** The EndpointSlices labelled kubernetes.io/service-name=name. */
  slices(namespace: string, name: string): Obj[];
}

export type Resolved = { backend: Backend } | { problem: { reason: 'ServiceNotFound' | 'PortNotFound'; message: string } };

export function resolveBackend(src: ServiceSource, namespace: string, ref: Obj, protocol: Backend['protocol']): Resolved {
  const name: string = ref.name;
  const want: number | string = ref.port?.number ?? ref.port?.name;
  const svc = src.service(namespace, name);
  if (!svc) return { problem: { reason: 'ServiceNotFound', message: `Service "${namespace}/${name}" not found` } };
  const svcPort = (svc.spec?.ports ?? []).find((p: Obj) => (typeof want === 'number' ? p.port === want : p.name === want));
  if (!svcPort) {
    return { problem: { reason: 'PortNotFound', message: `Service "${namespace}/${name}" has no port ${typeof want === 'number' ? want : `"${want}"`}` } };
  }
  const endpoints = categorize(endpointsForPort(src.slices(namespace, name), svcPort.name ?? '', 'TCP', '')).cluster;
  return { backend: { namespace, service: name, port: want, endpoints: endpoints.map(({ ip, port }) => ({ ip, port })), protocol } };
}
