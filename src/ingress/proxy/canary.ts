/**
 * @module Which backend serves a request on a route with a canary, as ingress-nginx's balancer
 * decides: the canary header first ("always"/"never", or an exact headerValue), then the cookie
 * ("always"/"never"), then a random draw against weight out of weightTotal. A canary without
 * endpoints never takes traffic.
 */
import type { Backend, Canary, Route } from '../types.js';
import type { HeaderMap } from './headers.js';

export interface Chosen { backend?: Backend; ingress: { namespace: string; name: string } }

/** `req.headers()` is called only when the route's canary has a header or cookie rule. */
export function chooseBackend(route: Route, req: { headers(): HeaderMap }, random: () => number = Math.random): Chosen {
  const c = route.canary;
  if (c && c.backend.endpoints.length > 0 && wantsCanary(c, req, random)) return { backend: c.backend, ingress: c.ingress };
  return { backend: route.backend, ingress: route.ingress };
}

function wantsCanary(c: Canary, req: { headers(): HeaderMap }, random: () => number): boolean {
  if (c.header) {
    const v = req.headers()[c.header.toLowerCase()];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) {
      if (c.headerValue) {
        if (value === c.headerValue) return true;
      } else if (value === 'always') return true;
      else if (value === 'never') return false;
    }
  }
  if (c.cookie) {
    const value = cookieValue(req.headers().cookie, c.cookie);
    if (value === 'always') return true;
    if (value === 'never') return false;
  }
  if (c.weight <= 0) return false;
  // Lua's math.random(total) <= weight: an integer in 1..total.
  return Math.floor(random() * c.weightTotal) + 1 <= c.weight;
}

function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of (Array.isArray(header) ? header.join(';') : header).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
