/**
 * @module metrics.k8s.io/v1beta1 as metrics-server serves it: NodeMetrics (nodes) and PodMetrics
 * (pods), get and list only, computed from the node agents' resource metrics rather than read from
 * the store. Lists take label and field selectors over the nodes and pods themselves; a node or pod
 * without figures yet is left out of lists and is NotFound by name.
 */
import type { ServerResponse } from 'node:http';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { isNotFound, newMethodNotSupported, newNotFound } from '../../apimachinery/errors.js';
import { includeObject } from '../handlers/context.js';
import { writeJSON, type Negotiated } from '../http/respond.js';
import { buildFilter } from '../registry/filter.js';
import type { Obj } from '../registry/object-meta.js';
import type { StorageRegistry } from '../registry/registry.js';
import type { RequestInfo } from '../request-info.js';
import type { Logger } from '../server.js';
import { KubeletScraper } from './kubelet-scrape.js';
import { MetricsCache } from './metrics-cache.js';
import { METRICS_GROUP, metricsList, metricsTable, nodeMetrics, podMetrics, totalUsage, type MetricsRow } from './objects.js';
import type { MetricsStorage } from './storage.js';

export interface MetricsRequest {
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  /** NodeMetrics or PodMetrics, as registered in the scheme. */
  t: ResourceType;
  registry: StorageRegistry;
  neg: Negotiated;
  log?: Logger;
}

/** How long one node's scrape may take. */
const SCRAPE_TIMEOUT_MS = 5000;

const caches = new WeakMap<StorageRegistry, MetricsCache>();

function cacheFor(registry: StorageRegistry, log?: Logger): MetricsCache {
  let cache = caches.get(registry);
  if (!cache) {
    const scraper = new KubeletScraper(registry, { timeoutMs: SCRAPE_TIMEOUT_MS, log });
    cache = new MetricsCache({
      scrape: () => scraper.scrape(),
      onError: (err) => log?.error({ err }, 'metrics: scrape cycle failed'),
    });
    caches.set(registry, cache);
  }
  return cache;
}

/** Stops the scrape loop of this registry's API server, if one runs. */
export function stopMetrics(registry: StorageRegistry): void {
  caches.get(registry)?.stop();
}

export async function handleMetrics(r: MetricsRequest): Promise<void> {
  const { t, info, query } = r;
  const gr = { group: t.group, resource: t.resource };
  if (info.subresource) throw newNotFound(gr, info.name);
  if (!(t.verbs ?? []).includes(info.verb)) throw newMethodNotSupported(gr, info.verb);
  const isNode = t.kind === 'NodeMetrics';
  const source = lookupResource('', 'v1', isNode ? 'nodes' : 'pods')!;
  const storage = r.registry.storageFor(source);
  // Checked before any scrape, so a bad selector is a quick 400.
  const filter = buildFilter(t, query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '');
  const current = () => cacheFor(r.registry, r.log).current();

  if (info.name) {
    const notFound = (name: string) => newNotFound({ group: METRICS_GROUP, resource: isNode ? 'nodemetrics' : 'podmetrics' }, name);
    const obj = await storage.get(info.namespace, info.name).catch((err) => {
      throw isNotFound(err) ? notFound(info.name) : err;
    });
    const row = rowOf(obj, isNode, await current(), new Date());
    // As metrics-server: a pod that exists but has no figures is named with its namespace.
    if (!row) throw notFound(isNode ? info.name : `${info.namespace}/${info.name}`);
    return respond(r, [row], false);
  }
  const { items } = await storage.list(info.namespace, { filter });
  const metrics = await current();
  const now = new Date();
  const rows = items.map((o) => rowOf(o, isNode, metrics, now)).filter((x): x is MetricsRow => x !== undefined);
  respond(r, rows, true);
}

function rowOf(o: Obj, isNode: boolean, metrics: MetricsStorage, now: Date): MetricsRow | undefined {
  if (isNode) {
    const u = metrics.node(o.metadata.name);
    return u && { obj: nodeMetrics(o, u, now), usage: totalUsage(u) };
  }
  const u = metrics.pod(o.metadata.namespace, o.metadata.name);
  return u && { obj: podMetrics(o, u, now), usage: totalUsage(u) };
}

function respond(r: MetricsRequest, rows: MetricsRow[], list: boolean): void {
  if (r.neg.as === 'table') return writeJSON(r.res, 200, metricsTable(rows, includeObject(r.query)));
  const body = list ? metricsList(r.t.kind as 'NodeMetrics' | 'PodMetrics', rows.map((x) => x.obj)) : rows[0].obj;
  writeJSON(r.res, 200, body, r.neg.yaml);
}
