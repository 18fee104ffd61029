/**
 * @module Which LoadBalancer services may have their ports on the nodes: every node answers on its
 * own addresses for every LoadBalancer service, so two services wanting the same port and protocol
 * cannot both have it. The older service (creationTimestamp, then namespace/name) wins; a service
 * that loses any port gets none of them, and so claims none that a younger one could have.
 */
import type { Obj } from '../../client/client.js';
import { keyOf } from '../../client/informer.js';

/** Why a service gets no address: the first of its ports an older service holds. */
export interface PortConflict { port: number; protocol: string; holder: string }

const portsOf = (svc: Obj): string[] =>
  (svc.spec?.ports ?? []).map((p: Obj) => `${p.port}/${p.protocol ?? 'TCP'}`);

/** Older first: creationTimestamp, then namespace/name. */
export function olderFirst(a: Obj, b: Obj): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The services (by key) that lose a port to an older one, with the first port lost. */
export function portConflicts(services: Obj[]): Map<string, PortConflict> {
  const holders = new Map<string, string>();
  const conflicts = new Map<string, PortConflict>();
  for (const svc of [...services].sort(olderFirst)) {
    const ports = portsOf(svc);
    const taken = ports.find((p) => holders.has(p));
    if (taken) {
      const [port, protocol] = taken.split('/');
      conflicts.set(keyOf(svc), { port: Number(port), protocol: protocol!, holder: holders.get(taken)! });
      continue;
    }
    for (const p of ports) holders.set(p, keyOf(svc));
  }
  return conflicts;
}
