/**
 * @module Which endpoints of a Service port traffic goes to, as upstream's CategorizeEndpoints:
 * ready endpoints, or (only when none is ready) serving-but-terminating ones, so that a rolling
 * update never leaves a window with nothing to send to; the same again among this node's own
 * endpoints for traffic policy Local. Shared by the service proxy and the ingress.
 */
import type { Obj } from '../client/client.js';

export interface Endpoint {
  ip: string;
  port: number;
  /** On this node (its nodeName is ours). */
  local: boolean;
  ready: boolean;
  /** Serving while terminating: a fallback when nothing is ready. */
  fallback: boolean;
}

/**
 * The endpoints that the slices list for one Service port (matched by port name and protocol),
 * one per address and port. Conditions as the API defines them: ready unset means ready, serving
 * unset means ready's value, terminating unset means not terminating.
 */
export function endpointsForPort(slices: Obj[], portName: string, protocol: string, nodeName: string): Endpoint[] {
  const byAddr = new Map<string, Endpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p: Obj) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port || typeof port.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (typeof ip !== 'string') continue;
      const c = ep.conditions ?? {};
      const ready = c.ready !== false;
      const serving = c.serving ?? ready;
      const e: Endpoint = { ip, port: port.port, local: ep.nodeName === nodeName, ready, fallback: !ready && serving && c.terminating === true };
      const key = `${ip}:${port.port}`;
      // The same address in two slices (mid-move between slices): the better state wins.
      const seen = byAddr.get(key);
      if (!seen || rank(e) > rank(seen)) byAddr.set(key, e);
    }
  }
  return [...byAddr.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

const rank = (e: Endpoint) => (e.ready ? 2 : e.fallback ? 1 : 0);

export interface CategorizedEndpoints {
  /** For traffic policy Cluster: ready ones anywhere, else serving-terminating ones anywhere. */
  cluster: Endpoint[];
  /** For traffic policy Local: this node's ready ones, else its serving-terminating ones. */
  local: Endpoint[];
}

export function categorize(endpoints: Endpoint[]): CategorizedEndpoints {
  return { cluster: usable(endpoints), local: usable(endpoints.filter((e) => e.local)) };
}

function usable(eps: Endpoint[]): Endpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length > 0 ? ready : eps.filter((e) => e.fallback);
}
