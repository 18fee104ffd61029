/**
 * @module core/v1 Endpoints subsets as upstream's endpoints controller builds them: one subset per
 * (address, port), repacked into the canonical layout (RepackSubsets), and truncated to 1000
 * addresses with the over-capacity annotation.
 */
import type { Obj } from '../../client/client.js';

/** Upstream's maxCapacity of an Endpoints object. */
export const MaxCapacity = 1000;
/** v1.EndpointsOverCapacity, set to "truncated". */
export const OverCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

/** An EndpointSubset (addresses and notReadyAddresses are EndpointAddresses). */
export interface Subset { addresses?: Obj[]; notReadyAddresses?: Obj[]; ports?: Obj[] }

/** addEndpointSubset: the address as ready (or tolerated) or not ready, with its port if any. */
export function endpointSubset(address: Obj, port: Obj | undefined, ready: boolean): Subset {
  const ports = port ? [port] : [];
  return ready ? { addresses: [address], ports } : { notReadyAddresses: [address], ports };
}

const addressKey = (a: Obj) => `${a.ip}|${a.targetRef?.uid ?? ''}`;
const portKey = (p: Obj) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);

/**
 * RepackSubsets: expands subsets to (address, port) pairs — an address not ready for a port stays
 * not ready — then groups ports offered by the same set of addresses. Addresses sort by IP and
 * UID, ports and subsets by content (upstream sorts these by hash: any stable order will do).
 */
export function repackSubsets(subsets: Subset[]): Subset[] {
  const addrs = new Map<string, Obj>();
  // port key → (address key → ready)
  const byPort = new Map<string, { port: Obj | undefined; ready: Map<string, boolean> }>();
  const map = (a: Obj, port: Obj | undefined, ready: boolean) => {
    const ak = addressKey(a);
    if (!addrs.has(ak)) addrs.set(ak, a);
    const pk = port ? portKey(port) : '<none>';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }));
    if (entry.ready.get(ak) !== false) entry.ready.set(ak, ready);
  };
  for (const ss of subsets) {
    const ports: (Obj | undefined)[] = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) map(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) map(a, port, false);
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: Obj[] }>();
  for (const { port, ready } of byPort.values()) {
    const gk = JSON.stringify([...ready].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { ready, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: Subset[] = [];
  for (const g of groups.values()) {
    const ready: Obj[] = [];
    const notReady: Obj[] = [];
    for (const [ak, r] of g.ready) (r ? ready : notReady).push(addrs.get(ak)!);
    const ss: Subset = {};
    if (ready.length) ss.addresses = ready.sort(byIPAndUID);
    if (notReady.length) ss.notReadyAddresses = notReady.sort(byIPAndUID);
    if (g.ports.length) ss.ports = g.ports.sort((a, b) => cmp(portKey(a), portKey(b)));
    out.push(ss);
  }
  return out.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byIPAndUID = (a: Obj, b: Obj) => cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

const countAddresses = (subsets: Subset[]) =>
  subsets.reduce((n, ss) => n + (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0), 0);

/**
 * truncateEndpoints: at most MaxCapacity addresses, spread over subsets in proportion (rounded
 * up), ready addresses first: not-ready ones go before any ready one does. Returns the subsets
 * (those left without addresses dropped, which validation would refuse) or undefined when all fit.
 */
export function truncateSubsets(subsets: Subset[]): Subset[] | undefined {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const ss of subsets) {
    totalReady += ss.addresses?.length ?? 0;
    totalNotReady += ss.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MaxCapacity) return undefined;
  const truncateReady = totalReady > MaxCapacity;
  const max = truncateReady ? MaxCapacity : MaxCapacity - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out: Subset[] = [];
  for (const orig of subsets) {
    const ss = { ...orig };
    const inSubset = (truncateReady ? ss.addresses?.length : ss.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      ss.addresses = (ss.addresses ?? []).slice(0, toBeAdded);
      delete ss.notReadyAddresses;
      canBeAdded -= ss.addresses.length;
    } else {
      ss.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= ss.notReadyAddresses.length;
    }
    if (!ss.addresses?.length) delete ss.addresses;
    if (!ss.notReadyAddresses?.length) delete ss.notReadyAddresses;
    if (ss.addresses || ss.notReadyAddresses) out.push(ss);
  }
  return out;
}

/** capacityAnnotationSetCorrectly: within capacity and without the annotation. */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: Subset[]): boolean {
  if (countAddresses(subsets) > MaxCapacity) return false;
  return !(annotations && OverCapacityAnnotation in annotations);
}
