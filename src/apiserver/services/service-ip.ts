/**
 * @module The service CIDR: parsed and checked as kube-apiserver checks --service-cluster-ip-range,
 * the index arithmetic the cluster-IP allocator works in, and serviceIPAt for the well-known
 * addresses (1: the `kubernetes` service, 10: kube-dns).
 */

/** An IPv4 service CIDR: the usable addresses are network+1 … broadcast-1. */
export interface ServiceCIDR {
  /** Normalized text, e.g. "10.43.0.0/16" (what error messages print). */
  text: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

/** kube-apiserver refuses service ranges wider than 20 host bits (a /12 for IPv4). */
const MAX_HOST_BITS = 20;
/** Two usable addresses at least: the `kubernetes` service's and one more. */
const MAX_PREFIX = 30;

export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export const numberToIP = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses and checks a service CIDR; throws a one-line Error naming the flag. */
export function parseServiceCIDR(text: string, flag = '--service-cidr'): ServiceCIDR {
  const [addr, bits, extra] = text.split('/');
  const ip = ipToNumber(addr ?? '');
  const prefix = /^\d{1,2}$/.test(bits ?? '') ? Number(bits) : NaN;
  if (ip === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new Error(`invalid ${flag} "${text}": want an IPv4 CIDR such as ${DEFAULT_SERVICE_CIDR}`);
  }
  if (32 - prefix > MAX_HOST_BITS) {
    throw new Error(`specified ${flag} is too large; for 32-bit addresses, the mask must be >= ${32 - MAX_HOST_BITS}`);
  }
  if (prefix > MAX_PREFIX) throw new Error(`specified ${flag} is too small; the mask must be <= ${MAX_PREFIX}`);
  const network = (ip & (~0 << (32 - prefix))) >>> 0;
  return { text: `${numberToIP(network)}/${prefix}`, network, prefix };
}

/** Usable addresses of the CIDR (network and broadcast are never handed out). */
export const cidrSize = (c: ServiceCIDR) => 2 ** (32 - c.prefix) - 2;

/** The index of ip among the usable addresses (0 = network+1), or undefined when outside them. */
export function ipIndex(c: ServiceCIDR, ip: string): number | undefined {
  const n = ipToNumber(ip);
  if (n === undefined) return undefined;
  const i = n - c.network - 1;
  return i >= 0 && i < cidrSize(c) ? i : undefined;
}

export const ipAtIndex = (c: ServiceCIDR, i: number) => numberToIP(c.network + 1 + i);

/**
 * The n-th address of a service CIDR: 1 is the `kubernetes` service's, 10 kube-dns's by convention.
 * Throws when n is not a usable address of the range.
 */
export function serviceIPAt(cidr: string, n: number): string {
  const c = parseServiceCIDR(cidr, 'service CIDR');
  if (!Number.isInteger(n) || n < 1 || n > cidrSize(c)) throw new Error(`service CIDR ${c.text} has no address number ${n}`);
  return ipAtIndex(c, n - 1);
}
