/**
 * @module The Endpoints controller (kube-controller-manager's "endpoint"): for every Service with
 * a selector, a core/v1 Endpoints of the same name whose subsets list the selected pods' addresses
 * (ready or not) and resolved ports; deleted with the service.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { type Informer, keyOf, splitKey } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isIPv6 } from 'node:net';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { isPodReady } from '../controller-utils/pods.js';
import {
  findPort, HeadlessServiceLabel, isServiceIPSet, podIPs, podServiceMemberships, podsForService, serviceSelector,
  servicesToUpdateOnPodChange, shouldPodBeInEndpoints, shouldSetHostname,
} from '../controller-utils/service-endpoints.js';
import { isNamespaceTerminating } from '../controller-utils/namespace-terminating.js';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from '../controller-utils/trigger-time.js';
import { capacityAnnotationSetCorrectly, endpointSubset, OverCapacityAnnotation, repackSubsets, type Subset, truncateSubsets } from './subsets.js';

export const Name = 'endpoint';
const FieldManager = 'kube-controller-manager';
/** resourcelock.LeaderElectionRecordAnnotationKey: Endpoints used as a leader-election lock are not ours. */
const LeaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';

export interface EndpointsControllerOptions {
  /** Concurrent service syncs (upstream --concurrent-endpoint-syncs, default 5). */
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

export class EndpointsController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private readonly triggerTimes = new TriggerTimeTracker();
  private services!: Informer;
  private pods!: Informer;
  private endpoints!: Informer;

  constructor(private ctx: ControllerContext, private opts: EndpointsControllerOptions = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('endpoint-controller');
  }

  setup(): void {
    this.services = this.ctx.informers.informer(ref('Service').type);
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.endpoints = this.ctx.informers.informer(ref('Endpoints').type);
    const enqueue = (o: Obj) => this.queue.add(keyOf(o));
    this.services.addHandler({ add: enqueue, update: (_o, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandler({
      add: (pod) => this.addAll(podServiceMemberships(this.services, pod)),
      update: (old, cur) => this.addAll(servicesToUpdateOnPodChange(this.services, old, cur)),
      delete: (pod) => this.addAll(podServiceMemberships(this.services, pod)),
    });
    this.endpoints.addHandler({ delete: enqueue });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.checkLeftoverEndpoints();
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 5, signal,
      onError: this.opts.onError });
  }

  /** Queues every Endpoints once, so that those whose service went away while nobody watched are deleted. */
  private checkLeftoverEndpoints(): void {
    for (const ep of this.endpoints.list()) {
      if (ep.metadata?.annotations?.[LeaderElectionAnnotation] === undefined) this.queue.add(keyOf(ep));
    }
  }

  private addAll(keys: Set<string>): void { for (const k of keys) this.queue.add(k); }

  /** syncService. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const r = ref('Endpoints', namespace);
    const svc = this.services.get(key);
    if (!svc) {
      // Only Endpoints this controller could have made: a leader-election lock stays.
      const ep = this.endpoints.get(key);
      if (ep?.metadata?.annotations?.[LeaderElectionAnnotation] === undefined) {
        try {
          await this.client.delete(r, name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      this.triggerTimes.deleteService(namespace, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const pods = podsForService(this.pods, svc);
    // Computed before the no-op check, so that the tracker's state follows every sync.
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const subsets = desiredSubsets(svc, pods);

    const current = this.endpoints.get(key);
    const labels = svc.metadata.labels ?? {};
    if (current) {
      const { [HeadlessServiceLabel]: _headless, ...compare } = current.metadata.labels ?? {};
      if (canonical(current.subsets ?? []) === canonical(subsets) && canonical(compare) === canonical(labels) &&
        capacityAnnotationSetCorrectly(current.metadata.annotations, current.subsets ?? [])) return;
    }
    const next: Obj = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.subsets = subsets;
    next.metadata.labels = { ...labels };
    setTriggerTimeAnnotation(next, triggerTime);
    const truncated = truncateSubsets(subsets);
    next.metadata.annotations ??= {};
    if (truncated) {
      next.subsets = truncated;
      next.metadata.annotations[OverCapacityAnnotation] = 'truncated';
    } else {
      delete next.metadata.annotations[OverCapacityAnnotation];
    }
    if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
    if (!isServiceIPSet(svc)) next.metadata.labels[HeadlessServiceLabel] = '';
    else delete next.metadata.labels[HeadlessServiceLabel];
    if (next.subsets.length === 0) delete next.subsets;
    try {
      if (current) await this.client.update(r, next, { fieldManager: FieldManager });
      else await this.client.create(r, next, { fieldManager: FieldManager });
    } catch (e) {
      // A terminating namespace refuses creates for good: drop the item.
      if (!current && isNamespaceTerminating(e)) return;
      if (current) this.events.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${(e as Error).message}`);
      else this.events.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${(e as Error).message}`);
      throw e;
    }
  }
}

/** The repacked subsets of the pods' addresses, per service port (or portless for headless services without ports). */
export function desiredSubsets(svc: Obj, pods: Obj[]): Subset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const ports = (svc.spec?.ports ?? []) as Obj[];
  const subsets: Subset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const address = podToEndpointAddress(svc, pod);
    if (!address) continue;
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') subsets.push(endpointSubset(address, undefined, ready));
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: Obj = { name: sp.name, port, protocol: sp.protocol ?? 'TCP' };
      if (!ep.name) delete ep.name;
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      subsets.push(endpointSubset(address, ep, ready));
    }
  }
  return repackSubsets(subsets);
}

/** podToEndpointAddressForService: the pod's IP of the service's (first) IP family. */
function podToEndpointAddress(svc: Obj, pod: Obj): Obj | undefined {
  let v6: boolean;
  const families = (svc.spec?.ipFamilies ?? []) as string[];
  if (families.length) v6 = families[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec.clusterIP);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((x) => isIPv6(x) === v6);
  if (!ip) return undefined;
  const address: Obj = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  return address;
}

/** JSON with sorted keys, for comparing objects that went through the API. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
