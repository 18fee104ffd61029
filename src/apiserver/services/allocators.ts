/**
 * @module The cluster-IP and node-port allocators (upstream's ipallocator and portallocator) over
 * store keys, with upstream's error texts, which end up in the API's messages. A dry run checks a
 * requested value without claiming it.
 */
import type { Store } from '../../storage/store.js';
import { parsePortRange, type PortRange } from './port-range.js';
import { cidrSize, ipAtIndex, ipIndex, parseServiceCIDR, type ServiceCIDR } from './service-ip.js';
import { StoreRange, staticBand, type Owner } from './store-range.js';

export const SERVICE_IPS_PREFIX = '/registry/tugboat.io/serviceips/';
export const NODE_PORTS_PREFIX = '/registry/tugboat.io/servicenodeports/';

/** A requested value that cannot be had; the message is upstream's allocator error. */
export class AllocationError extends Error {}
export class RangeFullError extends Error { constructor() { super('range is full'); } }

/** What a claim did: `created` keys are the ones a failed write must give back. */
export interface Claimed<T> { value: T; created: boolean }

abstract class Allocator<T> {
  constructor(readonly range: StoreRange) {}
  protected abstract indexOf(v: T): number | undefined;
  protected abstract valueAt(i: number): T;
  protected abstract notInRange(): string;
  protected abstract taken(): string;

  /** Claims a requested value for owner (a dry run only checks it is in range and free). */
  async allocate(v: T, owner: Owner, dryRun = false): Promise<Claimed<T>> {
    const i = this.indexOf(v);
    if (i === undefined) throw new AllocationError(this.notInRange());
    if (dryRun) {
      const held = await this.range.holder(i);
      if (held && held.uid !== owner.uid) throw new AllocationError(this.taken());
      return { value: v, created: false };
    }
    const r = await this.range.claim(i, owner);
    if (r === 'taken') throw new AllocationError(this.taken());
    return { value: v, created: r === 'created' };
  }

  /** Claims any free value; throws RangeFullError when none is left. */
  async allocateNext(owner: Owner): Promise<Claimed<T>> {
    const i = await this.range.claimNext(owner);
    if (i === undefined) throw new RangeFullError();
    return { value: this.valueAt(i), created: true };
  }

  /** Gives v back if owner uid still holds it; values outside the range are ignored. */
  async release(v: T, uid: string): Promise<void> {
    const i = this.indexOf(v);
    if (i !== undefined) await this.range.release(i, uid);
  }

  /** Whether v lies in this allocator's range. */
  contains(v: T) { return this.indexOf(v) !== undefined; }
}

export class ClusterIPAllocator extends Allocator<string> {
  readonly cidr: ServiceCIDR;

  constructor(store: Store, cidr: string) {
    const c = parseServiceCIDR(cidr);
    const size = cidrSize(c);
    super(new StoreRange(store, {
      prefix: SERVICE_IPS_PREFIX, size, label: (i) => ipAtIndex(c, i), index: (ip) => ipIndex(c, ip),
      // Upstream's band counts the whole CIDR (network and broadcast included).
      band: staticBand(size + 2, 16, 16, 256),
      // The first address belongs to the `kubernetes` service.
      reserved: new Set([0]),
    }));
    this.cidr = c;
  }

  protected indexOf(ip: string) { return ipIndex(this.cidr, ip); }
  protected valueAt(i: number) { return ipAtIndex(this.cidr, i); }
  protected notInRange() { return `provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`; }
  protected taken() { return 'provided IP is already allocated'; }
}

export class NodePortAllocator extends Allocator<number> {
  readonly ports: PortRange;

  constructor(store: Store, range: string) {
    const r = parsePortRange(range);
    super(new StoreRange(store, {
      prefix: NODE_PORTS_PREFIX, size: r.size, label: (i) => String(r.base + i),
      index: (p) => (/^\d+$/.test(p) ? indexIn(r, Number(p)) : undefined),
      band: staticBand(r.size, 16, 32, 128),
    }));
    this.ports = r;
  }

  protected indexOf(port: number) { return indexIn(this.ports, port); }
  protected valueAt(i: number) { return this.ports.base + i; }
  protected notInRange() { return `provided port is not in the valid range. The range of valid ports is ${this.ports.text}`; }
  protected taken() { return 'provided port is already allocated'; }
}

function indexIn(r: PortRange, port: number): number | undefined {
  const i = port - r.base;
  return Number.isInteger(i) && i >= 0 && i < r.size ? i : undefined;
}
