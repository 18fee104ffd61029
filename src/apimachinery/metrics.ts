/**
 * @module Metrics in the process's prom-client registry (the server's /metrics): a metric is
 * registered once per process, also when several servers or caches run in it (tests).
 */
import { register } from 'prom-client';

/** The metric registered under `name`, made by `make` the first time. */
export function processMetric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}
