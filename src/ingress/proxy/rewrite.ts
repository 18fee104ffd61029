/**
 * @module rewrite-target as ingress-nginx renders it: the route's path is a case-insensitive regex
 * anchored at the start (`rewrite "(?i)^<path>" <target> break;`), the whole path becomes the
 * target with $1… filled from the path's groups, and the query string is kept.
 */
import type { Route } from '../types.js';

const compiled = new WeakMap<Route, RegExp | null>();

/** The path and query to send upstream for a request target (path?query) on this route. */
export function rewrittenTarget(route: Route, target: string): string {
  if (route.rewriteTarget === undefined) return target;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  const re = regexOf(route);
  const m = re?.exec(path);
  if (!m) return target;
  const rewritten = route.rewriteTarget.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '');
  return (rewritten.startsWith('/') ? rewritten : `/${rewritten}`) + query;
}

function regexOf(route: Route): RegExp | null {
  let re = compiled.get(route);
  if (re === undefined) {
    try {
      re = new RegExp(route.path.startsWith('^') ? route.path : `^${route.path}`, 'i');
    } catch {
      re = null;
    }
    compiled.set(route, re);
  }
  return re;
}
