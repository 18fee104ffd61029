/**
 * @module The framework runtime: runs a profile's plugins at each extension point in order, with
 * score weights, and gives plugins a Handle (snapshot, filters, nominated pods).
 */
import type { CycleState } from './cycle-state.js';
import type {
  FilterPlugin, NodeScore, Plugin, PostFilterPlugin, PostFilterResult, PreFilterPlugin, PreScorePlugin, ScorePlugin, Snapshot,
} from './interface.js';
import { MAX_NODE_SCORE } from './interface.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { isRejected, type Status } from './status.js';

/** What plugins may use besides their arguments: the snapshot and the framework's own runners. */
export interface Handle {
  snapshot(): Snapshot;
  /** Pods nominated (by preemption) to run on the node, waiting to be scheduled. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  framework(): Framework;
}

export type PluginFactory = (handle: Handle) => Plugin;

/** Which plugins run (by name, in order) and the weight of each scorer. */
export interface Profile {
  schedulerName: string;
  filter: string[];
  postFilter: string[];
  score: { name: string; weight: number }[];
}

const has = <K extends string>(p: Plugin, method: K): boolean => typeof (p as unknown as Record<string, unknown>)[method] === 'function';

export class Framework {
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: { plugin: ScorePlugin; weight: number }[] = [];
  readonly profileName: string;

  /** Throws an Error for a plugin name the registry does not know (a configuration bug). */
  constructor(registry: Readonly<Record<string, PluginFactory>>, profile: Profile, handle: Omit<Handle, 'framework'>) {
    this.profileName = profile.schedulerName;
    const full: Handle = { ...handle, framework: () => this };
    const made = new Map<string, Plugin>();
    const get = (name: string) => {
      let p = made.get(name);
      if (!p) {
        const factory = registry[name];
        if (!factory) throw new Error(`scheduler plugin ${JSON.stringify(name)} is not registered`);
        made.set(name, (p = factory(full)));
      }
      return p;
    };
    for (const name of profile.filter) {
      const p = get(name);
      if (has(p, 'preFilter')) this.preFilterPlugins.push(p as PreFilterPlugin);
      if (has(p, 'filter')) this.filterPlugins.push(p as FilterPlugin);
    }
    for (const name of profile.postFilter) this.postFilterPlugins.push(get(name) as PostFilterPlugin);
    for (const { name, weight } of profile.score) {
      const p = get(name);
      if (has(p, 'preScore')) this.preScorePlugins.push(p as PreScorePlugin);
      this.scorePlugins.push({ plugin: p as ScorePlugin, weight });
    }
    this.nominated = full.nominatedPodsForNode;
  }

  private readonly nominated: Handle['nominatedPodsForNode'];

  /** Runs every PreFilter (recording skips in state); returns the first rejection. */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | undefined {
    for (const p of this.preFilterPlugins) {
      const s = p.preFilter(state, pod, snapshot);
      if (!s) continue;
      if (s.code === 'Skip') { state.skipFilterPlugins.add(p.name); continue; }
      s.plugin = p.name;
      return s;
    }
    return undefined;
  }

  /** Runs the Filter plugins in order; the first rejection wins (its plugin recorded). */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    for (const p of this.filterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (s) {
        s.plugin = p.name;
        return s;
      }
    }
    return undefined;
  }

  /**
   * RunFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated to the
   * node, the pod must fit both with them (so it does not take their place) and without them.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const all = this.nominated(node.name);
    // Most nodes have no nominated pods: no list to filter.
    const nominated = all.length === 0 ? all : all.filter((n) => n.priority >= pod.priority && n.uid !== pod.uid);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, node);
    const stateWith = state.clone();
    const nodeWith = node.clone();
    for (const n of nominated) {
      nodeWith.addPod(n);
      this.runPreFilterExtensionAddPod(stateWith, pod, n, nodeWith);
    }
    return this.runFilterPlugins(stateWith, pod, nodeWith) ?? this.runFilterPlugins(state, pod, node);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilterPlugins) if (!state.skipFilterPlugins.has(p.name)) p.extensions?.addPod(state, pod, toAdd, node);
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilterPlugins) if (!state.skipFilterPlugins.has(p.name)) p.extensions?.removePod(state, pod, toRemove, node);
  }

  /** The first PostFilter that succeeds, or every rejection's reasons (RunPostFilterPlugins). */
  runPostFilterPlugins(state: CycleState, pod: PodInfo, statuses: ReadonlyMap<string, Status>): { result?: PostFilterResult; reasons: string[] } {
    const reasons: string[] = [];
    for (const p of this.postFilterPlugins) {
      const { result, status } = p.postFilter(state, pod, statuses);
      if (result && !status) return { result, reasons: [] };
      if (status && isRejected(status)) reasons.push(...status.reasons);
    }
    return { reasons };
  }

  /** PreScore, Score, NormalizeScore and weights: one total per feasible node, in nodes' order. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): NodeScore[] {
    const skipped = new Set<string>();
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes, snapshot);
      if (s?.code === 'Skip') skipped.add(p.name);
    }
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.scorePlugins) {
      if (skipped.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i].score = plugin.score(state, pod, nodes[i]);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) {
        const s = scores[i].score;
        if (s > MAX_NODE_SCORE || s < 0) throw new Error(`plugin ${plugin.name} returns an invalid score ${s} for node ${nodes[i].name}`);
        totals[i].score += s * weight;
      }
    }
    return totals;
  }
}
