/**
 * @module What the watch cache records in the process's prom-client registry (served at /metrics):
 * the ring's size (upstream's apiserver_watch_cache_capacity) and how often a watch or list asked
 * for history the ring no longer held — the 410s that make informers relist.
 */
import { Counter, Gauge } from 'prom-client';
import { processMetric as metric } from '../../apimachinery/metrics.js';

export const watchCacheMetrics = {
  capacity: metric('apiserver_watch_cache_capacity', () => new Gauge({
    name: 'apiserver_watch_cache_capacity', help: 'Events the watch cache ring can hold now.',
  })),
  expired: metric('tugboat_watch_cache_too_old_total', () => new Counter({
    name: 'tugboat_watch_cache_too_old_total', labelNames: ['request'],
    help: 'Watches (410 Gone) and lists (then read from the backing store) that asked for a revision older than the watch cache holds.',
  })),
};
