/**
 * @module The last two points of every node and container, as metrics-server's storage keeps them,
 * and the usage computed from them: CPU as the rate between the two (nanocores), memory as the
 * latest working set. A new (or restarted) container has figures from its second scrape on: a rate
 * since its start would mostly measure the start itself.
 */
import type { MetricsPoint, NodeBatch } from './batch.js';
import { podKey } from './batch.js';

export interface Usage { cpuNanoCores: number; memoryBytes: number }

/** The end of the measured interval and its length. */
export interface TimeInfo { timestampMs: number; windowMs: number }

export interface NodeUsage extends TimeInfo { usage: Usage }
export interface PodUsage extends TimeInfo { containers: { name: string; usage: Usage }[] }

/** CPU over the interval between two points, and the later point's memory; undefined if they do not form one. */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): { usage: Usage } & TimeInfo | undefined {
  const windowMs = last.timestampMs - prev.timestampMs;
  // A counter that went down belongs to another container (or node boot): no rate from it.
  if (!(windowMs > 0) || last.cpuSeconds < prev.cpuSeconds) return undefined;
  const cpuNanoCores = Math.floor(((last.cpuSeconds - prev.cpuSeconds) * 1e9) / (windowMs / 1000));
  return { usage: { cpuNanoCores, memoryBytes: Math.round(last.memoryBytes) }, timestampMs: last.timestampMs, windowMs };
}

export class MetricsStorage {
  private nodesLast = new Map<string, MetricsPoint>();
  private nodesPrev = new Map<string, MetricsPoint>();
  private podsLast = new Map<string, Map<string, MetricsPoint>>();
  private podsPrev = new Map<string, Map<string, MetricsPoint>>();

  /** Takes one scrape cycle: the batches of the nodes that answered, by node name. Nodes (and their pods) not in it are dropped. */
  store(batches: ReadonlyMap<string, NodeBatch>): void {
    const nodesLast = new Map<string, MetricsPoint>();
    const nodesPrev = new Map<string, MetricsPoint>();
    const podsLast = new Map<string, Map<string, MetricsPoint>>();
    const podsPrev = new Map<string, Map<string, MetricsPoint>>();
    for (const [nodeName, batch] of batches) {
      if (batch.node) {
        nodesLast.set(nodeName, batch.node);
        const prev = this.previous(batch.node, this.nodesLast.get(nodeName), this.nodesPrev.get(nodeName));
        if (prev) nodesPrev.set(nodeName, prev);
      }
      for (const [key, containers] of batch.pods) {
        if (podsLast.has(key)) continue; // the same pod reported by two nodes: the first wins
        podsLast.set(key, containers);
        const prevs = new Map<string, MetricsPoint>();
        for (const [name, point] of containers) {
          const prev = this.containerPrevious(point, this.podsLast.get(key)?.get(name), this.podsPrev.get(key)?.get(name));
          if (prev) prevs.set(name, prev);
        }
        if (prevs.size) podsPrev.set(key, prevs);
      }
    }
    this.nodesLast = nodesLast;
    this.nodesPrev = nodesPrev;
    this.podsLast = podsLast;
    this.podsPrev = podsPrev;
  }

  node(name: string): NodeUsage | undefined {
    const last = this.nodesLast.get(name);
    const prev = this.nodesPrev.get(name);
    return last && prev ? resourceUsage(last, prev) : undefined;
  }

  /** Reported only when every running container of the pod has a usage; the time is the earliest container's. */
  pod(namespace: string, name: string): PodUsage | undefined {
    const key = podKey(namespace, name);
    const last = this.podsLast.get(key);
    const prev = this.podsPrev.get(key);
    if (!last || !prev) return undefined;
    const containers: PodUsage['containers'] = [];
    let time: TimeInfo | undefined;
    for (const [container, point] of last) {
      const p = prev.get(container);
      const u = p && resourceUsage(point, p);
      if (!u) return undefined;
      containers.push({ name: container, usage: u.usage });
      if (!time || u.timestampMs < time.timestampMs) time = { timestampMs: u.timestampMs, windowMs: u.windowMs };
    }
    return time && { ...time, containers: containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
  }

  /** metrics-server's choice of the previous point: the stored last one if this is newer, else the stored previous one if older. */
  private previous(point: MetricsPoint, last?: MetricsPoint, prev?: MetricsPoint): MetricsPoint | undefined {
    if (last && point.timestampMs > last.timestampMs) return last;
    if (last && prev && prev.timestampMs < point.timestampMs) return prev;
    return undefined;
  }

  private containerPrevious(point: MetricsPoint, last?: MetricsPoint, prev?: MetricsPoint): MetricsPoint | undefined {
    // A container that started after the stored point is a new one (a restart): its old points do not count.
    if (!last || (point.startTimeMs !== undefined && point.startTimeMs >= last.timestampMs)) return undefined;
    return this.previous(point, last, prev);
  }
}
