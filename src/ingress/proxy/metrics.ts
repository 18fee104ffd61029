/**
 * @module What the ingress proxy records about each request: the tugboat_ingress_* metrics in
 * prom-client's default registry (the API server's /metrics serves it) and one access-log line.
 * A request adds to plain numbers kept per label set; the registry reads them when scraped
 * (prom-client's own counters hash their labels on every increment: ~3 % of the proxy's CPU).
 */
import type { Logger } from 'pino';
import { register, type Metric } from 'prom-client';
import { writeAccessLog } from './access-log.js';

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

type Labels = { ingress: string; namespace: string; host: string; service: string };
/** Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Series {
  labels: Labels;
  /** Requests by status code. */
  statuses: Map<number, number>;
  /** Requests per bucket (not cumulative); the last one is +Inf. */
  buckets: number[];
  seconds: number;
  count: number;
  bytes: number;
}

/** Bounded by ingresses × route hosts × services; past SERIES_MAX, new label sets count under empty labels. */
const series = new Map<string, Series>();
const SERIES_MAX = 10_000;

function labelled(r: RequestRecord): Series {
  const key = `${r.ingress?.namespace ?? ''}\0${r.ingress?.name ?? ''}\0${r.routeHost ?? ''}\0${r.service ?? ''}`;
  let s = series.get(key);
  if (s) return s;
  if (series.size >= SERIES_MAX) return labelled({ ...r, ingress: undefined, routeHost: undefined, service: undefined });
  s = { labels: { ingress: r.ingress?.name ?? '', namespace: r.ingress?.namespace ?? '', host: r.routeHost ?? '', service: r.service ?? '' },
    statuses: new Map(), buckets: new Array<number>(BUCKETS.length + 1).fill(0), seconds: 0, count: 0, bytes: 0 };
  series.set(key, s);
  return s;
}

/**
 * The series by the route table's own ingress object, host and service strings (stable while a
 * table lives, their hashes cached), so a request builds no key; misses go to the labelled map.
 */
let byRoute = new WeakMap<object, Map<string, Map<string, Series>>>();
const NO_INGRESS = {};

function seriesOf(r: RequestRecord): Series {
  const source = r.ingress ?? NO_INGRESS;
  let hosts = byRoute.get(source);
  if (!hosts) byRoute.set(source, hosts = new Map());
  const host = r.routeHost ?? '';
  let services = hosts.get(host);
  if (!services) hosts.set(host, services = new Map());
  const service = r.service ?? '';
  let s = services.get(service);
  if (!s) services.set(service, s = labelled(r));
  return s;
}

function reset(): void {
  series.clear();
  byRoute = new WeakMap();
}

export function record(log: Logger, r: RequestRecord): void {
  const durationMs = performance.now() - r.startedAt;
  const seconds = durationMs / 1000;
  const s = seriesOf(r);
  s.statuses.set(r.status, (s.statuses.get(r.status) ?? 0) + 1);
  let b = 0;
  while (b < BUCKETS.length && seconds > BUCKETS[b]) b++;
  s.buckets[b]++;
  s.seconds += seconds;
  s.count++;
  s.bytes += r.bytes;
  writeAccessLog(log, {
    method: r.method, host: r.host, path: r.path, status: r.status, bytes: r.bytes, durationMs: Math.round(durationMs * 1000) / 1000,
    upstream: r.upstream, ingress: r.ingress && `${r.ingress.namespace}/${r.ingress.name}`, requestId: r.requestId, protocol: r.protocol,
  });
}

interface Value { labels: Record<string, string | number>; value: number; metricName?: string }

/** A metric the registry reads from the series when scraped; registered once per process (tests run several proxies). */
function define(name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]): void {
  if (register.getSingleMetric(name)) return;
  const metric = { name, help, type, aggregator: 'sum', get: () => ({ name, help, type, aggregator: 'sum', values: values() }), reset };
  register.registerMetric(metric as unknown as Metric);
}

define('tugboat_ingress_requests_total', 'Requests answered by the ingress proxy, by ingress, host, service and status code.', 'counter',
  () => [...series.values()].flatMap((s) => [...s.statuses].map(([status, n]) => ({ labels: { ...s.labels, status: String(status) }, value: n }))));

define('tugboat_ingress_request_duration_seconds', 'Time from the request to the end of the response through the ingress proxy.', 'histogram',
  () => [...series.values()].flatMap((s) => {
    let cumulative = 0;
    const out: Value[] = s.buckets.map((n, i) => {
      cumulative += n;
      return { metricName: 'tugboat_ingress_request_duration_seconds_bucket', labels: { le: i < BUCKETS.length ? BUCKETS[i] : '+Inf', ...s.labels }, value: cumulative };
    });
    out.push({ metricName: 'tugboat_ingress_request_duration_seconds_sum', labels: s.labels, value: s.seconds },
      { metricName: 'tugboat_ingress_request_duration_seconds_count', labels: s.labels, value: s.count });
    return out;
  }));

define('tugboat_ingress_response_bytes_total', 'Response body bytes sent to clients by the ingress proxy.', 'counter',
  () => [...series.values()].filter((s) => s.bytes > 0).map((s) => ({ labels: s.labels, value: s.bytes })));
