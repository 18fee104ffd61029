/**
 * @module NodeCounts: how many of some set of pods run on each node, and summed per topology
 * domain (a node label's value), kept up to date as pods and nodes change. Upstream's
 * PodTopologySpread and InterPodAffinity count matching pods over every node in each cycle's
 * PreFilter; with thousands of nodes that walk is the cycle's cost. The cache keeps these counts
 * instead (one per selector in use), so a PreFilter reads a domain's count in O(1).
 */
import type { NodeInfo } from '../framework/node-info.js';

export class NodeCounts {
  /** Node → how many counted pods it holds (nodes with none are absent). Includes placeholders. */
  readonly perNode = new Map<NodeInfo, number>();
  /** topologyKey → label value → sum over nodes that have a Node object and the label. */
  private readonly domains = new Map<string, Map<string, number>>();

  add(node: NodeInfo, delta: number): void {
    const n = (this.perNode.get(node) ?? 0) + delta;
    if (n > 0) this.perNode.set(node, n); else this.perNode.delete(node);
    if (node.node) for (const [key, byValue] of this.domains) bump(byValue, node.labels[key], delta);
  }

  /** Counts per value of topologyKey; a live view the cache changes between cycles (copy to keep). */
  byDomain(topologyKey: string): ReadonlyMap<string, number> {
    let byValue = this.domains.get(topologyKey);
    if (!byValue) {
      this.domains.set(topologyKey, (byValue = new Map()));
      for (const [node, n] of this.perNode) if (node.node) bump(byValue, node.labels[topologyKey], n);
    }
    return byValue;
  }

  /**
   * Takes node's pods out of (sign -1) or back into (+1) the domain sums: the cache calls it
   * around a change of the node's labels or of whether it has a Node object.
   */
  moveNode(node: NodeInfo, sign: 1 | -1): void {
    const n = this.perNode.get(node);
    if (!n || !node.node) return;
    for (const [key, byValue] of this.domains) bump(byValue, node.labels[key], sign * n);
  }
}

function bump(byValue: Map<string, number>, value: string | undefined, delta: number): void {
  if (value === undefined) return;
  const n = (byValue.get(value) ?? 0) + delta;
  if (n > 0) byValue.set(value, n); else byValue.delete(value);
}
