/**
 * @module The node agent's URL paths, as the real kubelet serves them and the API server calls them:
 * /containerLogs/NS/POD/CONTAINER, /exec|/attach/NS/POD[/UID]/CONTAINER, /portForward/NS/POD[/UID],
 * /metrics/resource.
 */

export interface PodRef { namespace: string; name: string; uid?: string }

export type Route =
  | { kind: 'healthz' }
  | { kind: 'containerLogs'; pod: PodRef; container: string }
  | { kind: 'exec' | 'attach'; pod: PodRef; container: string }
  | { kind: 'portForward'; pod: PodRef }
  | { kind: 'resourceMetrics' };

/** The route for a path, or undefined (404). Segments are percent-decoded; empty ones do not match. */
export function parseRoute(pathname: string): Route | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts.some((p) => p === '')) return undefined;
  const [kind, ...rest] = parts;
  if (kind === 'healthz' && rest.length === 0) return { kind };
  if (kind === 'metrics' && rest.length === 1 && rest[0] === 'resource') return { kind: 'resourceMetrics' };
  if (kind === 'containerLogs' && rest.length === 3) {
    return { kind, pod: { namespace: rest[0], name: rest[1] }, container: rest[2] };
  }
  if ((kind === 'exec' || kind === 'attach') && (rest.length === 3 || rest.length === 4)) {
    const pod: PodRef = { namespace: rest[0], name: rest[1], ...(rest.length === 4 ? { uid: rest[2] } : {}) };
    return { kind, pod, container: rest[rest.length - 1] };
  }
  if (kind === 'portForward' && (rest.length === 2 || rest.length === 3)) {
    return { kind, pod: { namespace: rest[0], name: rest[1], ...(rest.length === 3 ? { uid: rest[2] } : {}) } };
  }
  return undefined;
}

/** A boolean query flag as the kubelet reads it: "1" (the API server's form) or "true". */
export function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true' || v === 'True' || v === 'TRUE' || v === 't';
}
