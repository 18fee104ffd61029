/**
 * @module The informers the route table reads (Ingresses, IngressClasses, Services,
 * EndpointSlices, Secrets) and the BuildInput over their caches. Shared by the node agents' route
 * watcher and the ingress status controller.
 */
import type { Obj } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { BuildInput } from './build.js';
import { ingressClassFilter } from './ingress-class.js';

export const ServiceNameLabel = 'kubernetes.io/service-name';
const BY_SERVICE = 'service';

export interface RouteSources {
  ingresses: Informer;
  classes: Informer;
  services: Informer;
  /** Absent when endpoints are not wanted (the status controller): backends then have none. */
  slices?: Informer;
  secrets: Informer;
}

export function routeSources(factory: InformerFactory, o: { endpoints: boolean } = { endpoints: true }): RouteSources {
  let slices: Informer | undefined;
  if (o.endpoints) {
    slices = factory.informer(ref('EndpointSlice', undefined, 'discovery.k8s.io/v1').type);
    slices.addIndex(BY_SERVICE, sliceService);
  }
  return {
    ingresses: factory.informer(ref('Ingress', undefined, 'networking.k8s.io/v1').type),
    classes: factory.informer(ref('IngressClass', undefined, 'networking.k8s.io/v1').type),
    services: factory.informer(ref('Service').type),
    slices,
    secrets: factory.informer(ref('Secret').type),
  };
}

/** "ns/service" of an EndpointSlice (by its kubernetes.io/service-name label), or none. */
export function sliceService(slice: Obj): string[] {
  const svc = slice.metadata?.labels?.[ServiceNameLabel];
  return svc ? [`${slice.metadata.namespace}/${svc}`] : [];
}

/** Our Ingresses (by class) with lookups over the caches. */
export function buildInput(s: RouteSources, className: string): BuildInput {
  const ours = ingressClassFilter(className, s.classes.list());
  return {
    ingresses: s.ingresses.list().filter(ours),
    service: (ns, name) => s.services.getByName(ns, name),
    slices: (ns, name) => s.slices?.byIndex(BY_SERVICE, `${ns}/${name}`) ?? [],
    secret: (ns, name) => s.secrets.getByName(ns, name),
  };
}
