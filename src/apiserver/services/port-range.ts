/**
 * @module The node-port range, parsed and checked as kube-apiserver checks --service-node-port-range.
 */

export interface PortRange { base: number; size: number; text: string }

export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** Parses "30000-32767"; throws a one-line Error naming the flag. */
export function parsePortRange(text: string, flag = '--service-node-port-range'): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const lo = Number(m?.[1]), hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new Error(`invalid ${flag} "${text}": want FIRST-LAST within 1-65535, e.g. ${DEFAULT_NODE_PORT_RANGE}`);
  return { base: lo, size: hi - lo + 1, text: `${lo}-${hi}` };
}
