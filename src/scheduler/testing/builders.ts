/**
 * @module Test builders: pods, nodes and a cache-backed snapshot for plugin tables, and a helper
 * that runs a plugin the way the framework does (PreFilter, Filter / PreScore, Score, Normalize).
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { Cache } from '../cache/cache.js';
import { CycleState } from '../framework/cycle-state.js';
import type { FilterPlugin, NodeScore, Plugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interface.js';
import { newPodInfo } from '../framework/pod-info.js';
import { Framework, type Handle } from '../framework/runtime.js';
import { message } from '../framework/status.js';

let seq = 0;

export interface PodOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  node?: string;
  priority?: number;
  spec?: Partial<NonNullable<Pod['spec']>>;
}

export function makePod(o: PodOptions = {}): Pod {
  const name = o.name ?? `pod-${++seq}`;
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, labels: o.labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'app', resources: { requests } }], nodeName: o.node, priority: o.priority ?? 0, ...o.spec },
  };
}

export interface NodeOptions { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[] }

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable, capacity: allocatable, images: o.images },
  };
}

export const nodeWithTaints = (name: string, ...taints: Taint[]) => makeNode(name, { taints });
export const nodeWithLabels = (name: string, labels: Record<string, string>) => makeNode(name, { labels });

/** A cache holding nodes and the (assigned) pods on them: the snapshot plugins see. */
export function snapshotOf(nodes: Node[], pods: Pod[] = []): Cache {
  const c = new Cache();
  for (const n of nodes) c.setNode(n);
  for (const p of pods) c.setPod(p);
  return c;
}

const handleFor = (snapshot: Cache): Omit<Handle, 'framework'> => ({ snapshot: () => snapshot, nominatedPodsForNode: () => [] });

/** Runs PreFilter (if any) then Filter on every node: node name → joined reasons ('' when it fits). */
export function runFilter(make: (h: Handle) => Plugin, pod: Pod, nodes: Node[], existing: Pod[] = []): Record<string, string> {
  const snapshot = snapshotOf(nodes, existing);
  const plugin = make({ ...handleFor(snapshot), framework: () => { throw new Error('not in a framework'); } }) as Partial<PreFilterPlugin> & FilterPlugin;
  const state = new CycleState();
  const info = newPodInfo(pod);
  const pre = plugin.preFilter?.(state, info, snapshot);
  const out: Record<string, string> = {};
  for (const n of snapshot.nodes()) {
    if (pre?.code === 'Skip') out[n.name] = '';
    else out[n.name] = message(pre ?? plugin.filter(state, info, n));
  }
  return out;
}

/** Runs PreScore, Score and NormalizeScore over every node, as the framework does (without weights). */
export function runScore(make: (h: Handle) => Plugin, pod: Pod, nodes: Node[], existing: Pod[] = []): NodeScore[] {
  const snapshot = snapshotOf(nodes, existing);
  const plugin = make({ ...handleFor(snapshot), framework: () => { throw new Error('not in a framework'); } }) as Partial<PreScorePlugin> & ScorePlugin;
  const state = new CycleState();
  const info = newPodInfo(pod);
  const infos = snapshot.nodes();
  const pre = plugin.preScore?.(state, info, infos, snapshot);
  const scores = infos.map((n) => ({ name: n.name, score: pre?.code === 'Skip' ? 0 : plugin.score(state, info, n) }));
  if (pre?.code !== 'Skip') plugin.normalizeScore?.(state, info, scores);
  return scores;
}

/** A framework over the snapshot with the given registry and profile (for PostFilter tests). */
export function frameworkFor(snapshot: Cache, registry: ConstructorParameters<typeof Framework>[0], profile: ConstructorParameters<typeof Framework>[1]) {
  return new Framework(registry, profile, handleFor(snapshot));
}
