/**
 * @module What the ingress proxy records about each request: prom-client metrics in the default
 * registry (the API server's /metrics serves it) and one pino access-log line.
 */
import type { Logger } from 'pino';
import { Counter, Histogram, register } from 'prom-client';

const LABELS = ['ingress', 'namespace', 'host', 'service'] as const;

/** Registered once per process, also when several proxies run in it (tests, one node agent each). */
function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const requests = metric('tugboat_ingress_requests_total', () => new Counter({
  name: 'tugboat_ingress_requests_total', help: 'Requests answered by the ingress proxy, by ingress, host, service and status code.',
  labelNames: [...LABELS, 'status'],
}));
const duration = metric('tugboat_ingress_request_duration_seconds', () => new Histogram({
  name: 'tugboat_ingress_request_duration_seconds', help: 'Time from the request to the end of the response through the ingress proxy.',
  labelNames: [...LABELS], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
}));
const responseBytes = metric('tugboat_ingress_response_bytes_total', () => new Counter({
  name: 'tugboat_ingress_response_bytes_total', help: 'Response body bytes sent to clients by the ingress proxy.',
  labelNames: [...LABELS],
}));

/** One finished (or failed) request; fields left out when no route or backend was found. */
export interface RequestRecord {
  method: string;
  host: string;
  path: string;
  status: number;
  bytes: number;
  startedAt: number;
  upstream?: string;
  ingress?: { namespace: string; name: string };
  service?: string;
  /** The matched route's host ("" for any host): the metrics label, so unknown Host headers cannot grow the series. */
  routeHost?: string;
  requestId: string;
  protocol: string;
}

type Labels = Record<(typeof LABELS)[number], string>;
interface Series { labels: Labels; requests: Map<number, { inc(): void }>; duration: { observe(v: number): void }; bytes: { inc(v: number): void } }

/**
 * The children of each label set, kept so a request costs one map lookup rather than prom-client
 * hashing its labels three times; bounded by routes × statuses (dropped when past SERIES_MAX).
 */
const series = new Map<string, Series>();
const SERIES_MAX = 10_000;

function seriesOf(r: RequestRecord): Series {
  const key = `${r.ingress?.namespace ?? ''}\0${r.ingress?.name ?? ''}\0${r.routeHost ?? ''}\0${r.service ?? ''}`;
  let s = series.get(key);
  if (!s) {
    if (series.size >= SERIES_MAX) series.clear();
    const labels = { ingress: r.ingress?.name ?? '', namespace: r.ingress?.namespace ?? '', host: r.routeHost ?? '', service: r.service ?? '' };
    s = { labels, requests: new Map(), duration: duration.labels(labels), bytes: responseBytes.labels(labels) };
    series.set(key, s);
  }
  return s;
}

function requestsChild(s: Series, status: number): { inc(): void } {
  let c = s.requests.get(status);
  if (!c) {
    c = requests.labels({ ...s.labels, status: String(status) });
    s.requests.set(status, c);
  }
  return c;
}

export function record(log: Logger, r: RequestRecord): void {
  const durationMs = performance.now() - r.startedAt;
  const s = seriesOf(r);
  requestsChild(s, r.status).inc();
  s.duration.observe(durationMs / 1000);
  if (r.bytes > 0) s.bytes.inc(r.bytes);
  log.info({
    method: r.method, host: r.host, path: r.path, status: r.status, bytes: r.bytes, durationMs: Math.round(durationMs * 1000) / 1000,
    upstream: r.upstream, ingress: r.ingress && `${r.ingress.namespace}/${r.ingress.name}`, requestId: r.requestId, protocol: r.protocol,
  }, 'ingress request');
}
