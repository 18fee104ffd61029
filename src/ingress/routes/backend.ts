/**
 * @module An Ingress backend resolved straight to endpoints (no ClusterIP hop): the Service's port
 * by number or name, then each EndpointSlice port of the same name (slices carry the target port),
 * and the slice endpoints that are ready — or serving and terminating when none is ready, as
 * kube-proxy falls back.
 */
import type { Obj } from '../../client/client.js';
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
  const portName: string = svcPort.name ?? '';
  const ready: Backend['endpoints'] = [];
  const terminating: Backend['endpoints'] = [];
  const seen = new Set<string>();
  for (const slice of src.slices(namespace, name)) {
    if (slice.addressType === 'FQDN') continue;
    const port = (slice.ports ?? []).find((p: Obj) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP')?.port;
    if (typeof port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      // Unset ready means ready (EndpointSlice API); unset serving follows ready.
      const isReady = c.ready !== false;
      const into = isReady ? ready : (c.serving ?? isReady) && c.terminating ? terminating : undefined;
      if (!into) continue;
      for (const ip of ep.addresses ?? []) {
        const key = `${ip}:${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        into.push({ ip, port });
      }
    }
  }
  return { backend: { namespace, service: name, port: want, endpoints: ready.length ? ready : terminating, protocol } };
}
