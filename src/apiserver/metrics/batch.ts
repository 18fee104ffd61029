/**
 * @module One kubelet scrape as metrics-server decodes it: the node's point and each running
 * container's point (cumulative CPU, working set, when measured, when started), from the samples of
 * /metrics/resource. A container without both CPU and memory samples is left out.
 */
import type { Sample } from './prometheus-text.js';

export interface MetricsPoint {
  /** When the figures were read, in ms since the epoch. */
  timestampMs: number;
  /** Cumulative CPU time in core-seconds. */
  cpuSeconds: number;
  memoryBytes: number;
  /** When the container started (ms since the epoch); unknown for nodes. */
  startTimeMs?: number;
}

export interface NodeBatch {
  node?: MetricsPoint;
  /** "namespace/name" → container name → point. */
  pods: Map<string, Map<string, MetricsPoint>>;
}

export const podKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** Samples without a timestamp count as read at `receivedAtMs`. */
export function decodeBatch(samples: readonly Sample[], receivedAtMs: number): NodeBatch {
  const node: Partial<MetricsPoint> = {};
  const containers = new Map<string, { pod: string; name: string; point: Partial<MetricsPoint> }>();
  const containerOf = (s: Sample) => {
    const { namespace, pod, container } = s.labels;
    if (!namespace || !pod || !container) return undefined;
    const key = `${podKey(namespace, pod)}/${container}`;
    let c = containers.get(key);
    if (!c) containers.set(key, (c = { pod: podKey(namespace, pod), name: container, point: {} }));
    return c.point;
  };
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value < 0) continue;
    const at = s.timestampMs ?? receivedAtMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total': Object.assign(node, { cpuSeconds: s.value, timestampMs: at }); break;
      case 'node_memory_working_set_bytes': node.memoryBytes = s.value; break;
      case 'container_cpu_usage_seconds_total': {
        const p = containerOf(s);
        if (p) Object.assign(p, { cpuSeconds: s.value, timestampMs: at });
        break;
      }
      case 'container_memory_working_set_bytes': {
        const p = containerOf(s);
        if (p) p.memoryBytes = s.value;
        break;
      }
      case 'container_start_time_seconds': {
        const p = containerOf(s);
        if (p) p.startTimeMs = Math.round(s.value * 1000);
        break;
      }
    }
  }
  const batch: NodeBatch = { pods: new Map() };
  if (complete(node)) batch.node = node;
  for (const c of containers.values()) {
    if (!complete(c.point)) continue;
    let pod = batch.pods.get(c.pod);
    if (!pod) batch.pods.set(c.pod, (pod = new Map()));
    pod.set(c.name, c.point);
  }
  return batch;
}

const complete = (p: Partial<MetricsPoint>): p is MetricsPoint =>
  p.cpuSeconds !== undefined && p.memoryBytes !== undefined && p.timestampMs !== undefined;
