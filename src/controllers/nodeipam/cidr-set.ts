/**
 * @module The pool of node pod CIDRs (upstream's cidrset.CidrSet, IPv4): the cluster CIDR cut into
 * equal subnets, handed out next-fit (after the last one given, wrapping) so that a freed subnet
 * is not reused at once while stale routes to it may linger. Each subnet remembers the nodes that
 * hold it, so that two nodes wrongly sharing one do not free it for a third when one goes.
 */
import { parseCIDR } from '../../apimachinery/validation/names.js';

/** Upstream's limit: at most 2^16 subnets in one cluster CIDR. */
const MaxSubnetBits = 16;

const ipToNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const numberToIP = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
/** The network address of n under a prefix of `bits`. */
const network = (n: number, bits: number) => n - (n % 2 ** (32 - bits));

export class CIDRSet {
  private readonly base: number;
  private readonly clusterBits: number;
  private readonly size: number;
  /** Subnet index → the nodes holding it. */
  private readonly owners = new Map<number, Set<string>>();
  private next = 0;

  /** Throws an Error for a cluster CIDR that is not IPv4, or a mask size it cannot be cut into. */
  constructor(readonly clusterCIDR: string, readonly maskSize: number) {
    const c = parseCIDR(clusterCIDR);
    if (!c || c.family !== 4) throw new Error(`cluster CIDR ${JSON.stringify(clusterCIDR)} is not an IPv4 CIDR`);
    if (!Number.isInteger(maskSize) || maskSize < c.bits || maskSize > 32) {
      throw new Error(`node CIDR mask size ${maskSize} must be between the cluster CIDR's /${c.bits} and /32`);
    }
    if (maskSize - c.bits > MaxSubnetBits) {
      throw new Error(`node CIDR mask size /${maskSize} cuts ${clusterCIDR} into more than 2^${MaxSubnetBits} subnets`);
    }
    this.clusterBits = c.bits;
    this.base = network(ipToNumber(c.ip), c.bits);
    this.size = 2 ** (maskSize - c.bits);
  }

  /** Subnets not held by any node. */
  get free(): number { return this.size - this.owners.size; }

  /** Gives the next free subnet to `owner`; undefined when none is free. */
  allocateNext(owner: string): string | undefined {
    if (this.free === 0) return undefined;
    for (let i = 0; i < this.size; i++) {
      const idx = (this.next + i) % this.size;
      if (this.owners.has(idx)) continue;
      this.owners.set(idx, new Set([owner]));
      this.next = (idx + 1) % this.size;
      return `${numberToIP(this.base + idx * 2 ** (32 - this.maskSize))}/${this.maskSize}`;
    }
    return undefined;
  }

  /** Marks the subnets `cidr` covers as held by `owner`. False when it is malformed, IPv6 or outside the cluster CIDR. */
  occupy(cidr: string, owner: string): boolean {
    const range = this.indices(cidr);
    if (!range) return false;
    for (let idx = range.begin; idx <= range.end; idx++) {
      const held = this.owners.get(idx);
      if (held) held.add(owner);
      else this.owners.set(idx, new Set([owner]));
    }
    return true;
  }

  /** Drops `owner` from the subnets `cidr` covers; a subnet no node holds is free again. */
  release(cidr: string, owner: string): void {
    const range = this.indices(cidr);
    if (!range) return;
    for (let idx = range.begin; idx <= range.end; idx++) {
      const held = this.owners.get(idx);
      held?.delete(owner);
      if (held?.size === 0) this.owners.delete(idx);
    }
  }

  /** The first and last subnet index `cidr` overlaps (upstream's getBeginningAndEndIndices). */
  private indices(cidr: string): { begin: number; end: number } | undefined {
    const c = parseCIDR(cidr);
    if (!c || c.family !== 4) return undefined;
    const start = network(ipToNumber(c.ip), c.bits);
    // A CIDR that contains the whole cluster CIDR covers every subnet.
    if (c.bits <= this.clusterBits) {
      return network(this.base, c.bits) === start ? { begin: 0, end: this.size - 1 } : undefined;
    }
    if (network(start, this.clusterBits) !== this.base) return undefined;
    const subnet = 2 ** (32 - this.maskSize);
    const begin = Math.floor((start - this.base) / subnet);
    const end = Math.floor((start + 2 ** (32 - c.bits) - 1 - this.base) / subnet);
    return { begin, end };
  }
}
