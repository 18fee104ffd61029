/**
 * @module The allocation repair loop (upstream's ipallocator and portallocator repair
 * controllers): keys of existing services that went missing are made again, and keys no
 * service holds any more (a server died between claim and write, a release failed) are removed.
 * Every API server may run it: it only creates absent keys and deletes a key at the version it
 * read, so passes on several servers do not fight.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { ConflictError, NotFoundError } from '../../storage/store.js';
import type { ServiceAllocator } from './service-alloc.js';
import type { StoreRange } from './store-range.js';
import { isHeadless, needsClusterIP, nodePortsOf } from './type-fields.js';

export interface RepairOptions {
  /** Keys younger than this are left alone: their service's create may still be in flight. */
  minAgeMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

export interface RepairResult { recreated: string[]; released: string[]; conflicts: string[] }

type Holder = { namespace: string; name: string; uid: string };

/** One repair pass over cluster IPs and node ports. Keys are read before services (see minAgeMs). */
export async function repairAllocations(alloc: ServiceAllocator, listServices: () => Promise<Service[]>,
  o: RepairOptions = {}): Promise<RepairResult> {
  const ipKeys = await alloc.ips.range.list();
  const portKeys = await alloc.ports.range.list();
  const services = await listServices();
  const ips = new Map<string, Holder>(), ports = new Map<string, Holder>();
  for (const svc of services) {
    const h = { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '' };
    const ip = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP;
    if (ip && needsClusterIP(svc) && !isHeadless(svc)) ips.set(ip, h);
    for (const p of nodePortsOf(svc)) ports.set(String(p), h);
    if (svc.spec?.healthCheckNodePort) ports.set(String(svc.spec.healthCheckNodePort), h);
  }
  const result: RepairResult = { recreated: [], released: [], conflicts: [] };
  await repairRange(alloc.ips.range, ipKeys, ips, o.minAgeMs ?? 60_000, result);
  await repairRange(alloc.ports.range, portKeys, ports, o.minAgeMs ?? 60_000, result);
  for (const c of result.conflicts) o.log?.warn({ allocation: c }, 'service allocation held by another service');
  return result;
}

async function repairRange(range: StoreRange, keys: Awaited<ReturnType<StoreRange['list']>>, wanted: Map<string, Holder>,
  minAgeMs: number, result: RepairResult): Promise<void> {
  const labelOf = (key: string) => key.slice(range.o.prefix.length);
  const present = new Map(keys.map((k) => [labelOf(k.kv.key), k]));
  for (const [label, holder] of wanted) {
    const index = range.o.index(label);
    if (index === undefined) continue; // outside this server's range: nothing to keep
    const k = present.get(label);
    if (!k) {
      const r = await range.claim(index, holder);
      if (r === 'created') result.recreated.push(range.key(index));
      else if (r === 'taken') result.conflicts.push(`${range.key(index)} (${holder.namespace}/${holder.name})`);
    } else if (k.alloc?.uid !== holder.uid) {
      result.conflicts.push(`${k.kv.key} (${holder.namespace}/${holder.name})`);
    }
  }
  const now = Date.now();
  for (const k of keys) {
    if (wanted.get(labelOf(k.kv.key))?.uid === k.alloc?.uid && k.alloc) continue;
    const born = Date.parse(k.alloc?.createdAt ?? '');
    if (now - born < minAgeMs) continue;
    try {
      await range.store.delete(k.kv.key, k.kv.modRevision);
      result.released.push(k.kv.key);
    } catch (e) {
      // Claimed again or removed since the read: this pass has nothing to say about it.
      if (!(e instanceof ConflictError || e instanceof NotFoundError)) throw e;
    }
  }
  await range.refresh();
}

/** Runs a pass now and then every intervalMs until stopped. */
export function startRepairLoop(alloc: ServiceAllocator, listServices: () => Promise<Service[]>,
  o: RepairOptions & { intervalMs: number }): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const pass = async () => {
    try {
      await repairAllocations(alloc, listServices, o);
    } catch (err) {
      if (!stopped) o.log?.warn({ err }, 'service allocation repair failed');
    }
    if (!stopped) timer = setTimeout(pass, o.intervalMs);
  };
  void pass();
  return { stop() { stopped = true; clearTimeout(timer); } };
}
