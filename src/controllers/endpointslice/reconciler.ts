/**
 * @module The EndpointSlice reconciler's plan, as upstream's (staging k8s.io/endpointslice):
 * group desired endpoints by port set, keep endpoints in the slices that hold them, fill slices
 * being updated first, then the closest-fitting unchanged slice, then new ones — minimal churn.
 * Pure: it returns what to create, update and delete, and the caller writes.
 */
import type { Obj } from '../../client/client.js';
import { shouldPodBeInEndpoints } from '../controller-utils/service-endpoints.js';
import {
  addressTypesForService, type AddressType, endpointKey, endpointPorts, endpointsEqualBeyondHash, newEndpointSlice, ownedBy,
  podToEndpoint, portMapKey, sliceLabels,
} from './endpoint.js';

/** Upstream's default --max-endpoints-per-slice. */
export const DefaultMaxEndpointsPerSlice = 100;

/** What reconcile needs besides the service and its pods. */
export interface PlanInput {
  service: Obj;
  /** The pods the service's selector matches. */
  pods: Obj[];
  /** The service's slices managed by this controller, not being deleted. */
  existingSlices: Obj[];
  /** The node of a pod (undefined when it does not exist). */
  node(name: string): Obj | undefined;
  maxEndpointsPerSlice?: number;
}

/** The writes that bring the slices to the desired state; `errors` name pods left out for now (retry). */
export interface Plan { create: Obj[]; update: Obj[]; delete: Obj[]; errors: string[] }

/** Reconcile: every address type the service supports; slices of other address types are deleted. */
export function planEndpointSlices(input: PlanInput): Plan {
  const types = addressTypesForService(input.service);
  const plan: Plan = { create: [], update: [], delete: [], errors: [] };
  const byType = new Map<string, Obj[]>();
  for (const slice of input.existingSlices) {
    if (!types.includes(slice.addressType)) { plan.delete.push(slice); continue; }
    byType.set(slice.addressType, [...(byType.get(slice.addressType) ?? []), slice]);
  }
  for (const t of types) {
    const p = planByAddressType(input, byType.get(t) ?? [], t);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
    plan.errors.push(...p.errors);
  }
  return plan;
}

interface Desired { ports: Obj[]; endpoints: Map<string, Obj> }

function planByAddressType(input: PlanInput, existing: Obj[], addressType: AddressType): Plan {
  const { service: svc } = input;
  const max = input.maxEndpointsPerSlice ?? DefaultMaxEndpointsPerSlice;
  const errors: string[] = [];
  let toDelete: Obj[] = [];
  const existingByPorts = new Map<string, Obj[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, svc)) { toDelete.push(slice); continue; }
    const k = portMapKey(slice.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), slice]);
  }

  const desired = new Map<string, Desired>();
  const pods = [...input.pods].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let d = desired.get(k);
    if (!d) desired.set(k, (d = { ports, endpoints: new Map() }));
    const node = input.node(pod.spec?.nodeName ?? '');
    // A pod on a missing node is left out (and the service retried), unless addresses are published regardless.
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      errors.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: node "${pod.spec?.nodeName ?? ''}" not found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) d.endpoints.set(endpointKey(ep), ep);
  }

  let toCreate: Obj[] = [];
  const toUpdate: Obj[] = [];
  for (const [k, d] of desired) {
    const p = planByPortMapping(svc, existingByPorts.get(k) ?? [], d, addressType, max);
    toCreate.push(...p.create);
    toUpdate.push(...p.update);
    toDelete.push(...p.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) toDelete.push(...slices);

  // A service without endpoints keeps one empty placeholder slice.
  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType);
    if (toDelete.length === 1 && isPlaceholder(toDelete[0], placeholder)) toDelete = [];
    else toCreate = [placeholder];
  }

  // Turn creates into updates of slices about to be deleted (same owner, same address type).
  for (let i = 0; i < toDelete.length && toCreate.length > 0;) {
    const old = toDelete[i];
    if (old.addressType === addressType && ownedBy(old, svc)) {
      const slice = toCreate.pop()!;
      toUpdate.push({ ...slice, metadata: { ...structuredClone(old.metadata), labels: slice.metadata.labels } });
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create: toCreate, update: toUpdate, delete: toDelete, errors };
}

/** reconcileByPortMapping: the slices of one port set. */
function planByPortMapping(svc: Obj, existing: Obj[], d: Desired, addressType: AddressType, max: number):
  { create: Obj[]; update: Obj[]; delete: Obj[] } {
  const remaining = new Map(d.endpoints);
  const byName = new Map<string, Obj>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep desired endpoints where they are; note slices whose endpoints or labels changed.
  for (const slice of existing) {
    const name = slice.metadata.name;
    byName.set(name, slice);
    const kept: Obj[] = [];
    let endpointUpdated = false;
    for (const ep of (slice.endpoints ?? []) as Obj[]) {
      const k = endpointKey(ep);
      const want = remaining.get(k);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) endpointUpdated = true;
      remaining.delete(k);
    }
    const { labels, changed } = sliceLabels(slice, svc);
    const had = (slice.endpoints ?? []).length;
    if (endpointUpdated || had !== kept.length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (changed) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  const pop = (): Obj => {
    const [k, ep] = remaining.entries().next().value!;
    remaining.delete(k);
    return ep;
  };

  // 2. Fill the slices being updated anyway, fullest first.
  if (remaining.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of slices) while (remaining.size > 0 && slice.endpoints.length < max) slice.endpoints.push(pop());
  }

  // 3. Put what is left into the closest-fitting unchanged slice, else into new slices.
  const toCreate: Obj[] = [];
  while (remaining.size > 0) {
    let fill: Obj | undefined;
    if (remaining.size < max && unchanged.size > 0) {
      const candidate = sliceToFill([...unchanged].map((n) => byName.get(n)!), remaining.size, max);
      if (candidate) {
        fill = structuredClone(candidate);
        fill.endpoints ??= [];
        byName.set(fill.metadata.name, fill);
      }
    }
    fill ??= newEndpointSlice(svc, d.ports, addressType);
    while (remaining.size > 0 && fill.endpoints.length < max) fill.endpoints.push(pop());
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else {
      toCreate.push(fill);
    }
  }
  return {
    create: toCreate,
    update: [...toUpdate].map((n) => byName.get(n)!),
    delete: [...toDelete].map((n) => byName.get(n)!),
  };
}

/** getSliceToFill: the slice that `count` more endpoints fill most closely without overflowing. */
function sliceToFill(slices: Obj[], count: number, max: number): Obj | undefined {
  let closestDiff = max;
  let closest: Obj | undefined;
  for (const s of slices) {
    const diff = max - (count + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

/** placeholderSliceCompare: same namespace, labels, address type, and no endpoints or ports. */
function isPlaceholder(slice: Obj, placeholder: Obj): boolean {
  const labels = (m: Obj) => JSON.stringify(Object.entries(m.metadata?.labels ?? {}).sort());
  return slice.metadata.namespace === placeholder.metadata.namespace && labels(slice) === labels(placeholder) &&
    slice.addressType === placeholder.addressType && !(slice.endpoints ?? []).length && !(slice.ports ?? []).length;
}
