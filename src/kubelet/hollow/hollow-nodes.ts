/**
 * @module Many hollow nodes in one process, cheaply: one pod informer (indexed by spec.nodeName)
 * and one node informer for all of them, one work queue of pod keys. Heartbeats are each node's
 * own, as kubelets' are: a node renews its Lease a renew interval after its last renewal ended.
 */
import type { Client, Obj } from '../../client/client.js';
import { runWorkers } from '../../client/controller.js';
import { Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import { HollowNode, type HollowCapacity } from './hollow-node.js';

export interface HollowNodesOptions {
  client: Client;
  /**
   * Lease renewals and node status reports go through this one (default: client). Kubelets each
   * have their own connection; in one process with one connection pool, 500 renewals a second
   * (5,000 nodes) left the pod status writes waiting behind them.
   */
  heartbeatClient?: Client;
  count: number;
  /** Node names are `${prefix}${i}` (default "hollow-"). */
  prefix?: string;
  /** Added to each node's index for its fake addresses, so that several processes do not overlap. */
  firstIndex?: number;
  capacity?: Partial<HollowCapacity>;
  labels?: Record<string, string>;
  leaseDurationSeconds?: number;
  /** How often each node renews its Lease (kubelet: leaseDuration / 4 = 10 s). */
  renewIntervalMs?: number;
  /** How often an unchanged node reports status (kubelet's nodeStatusReportFrequency, 5 min). */
  statusReportIntervalMs?: number;
  /** API writes in flight at once during registration (default 32). */
  concurrency?: number;
  /** Pod syncs in flight at once (default 16). */
  podWorkers?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

/** A running set of hollow nodes. */
export interface HollowNodes {
  readonly nodes: readonly HollowNode[];
  node(name: string): HollowNode | undefined;
  /** Stops heartbeats and pod syncs; resolves when every loop has ended. Nodes stay registered. */
  stop(): Promise<void>;
}

const byNodeName = 'spec.nodeName';

/** Registers `count` nodes, then runs them until stop(). Throws if registration fails. */
export async function startHollowNodes(o: HollowNodesOptions): Promise<HollowNodes> {
  const prefix = o.prefix ?? 'hollow-';
  const concurrency = o.concurrency ?? 32;
  const renewIntervalMs = o.renewIntervalMs ?? 10_000;
  const statusReportIntervalMs = o.statusReportIntervalMs ?? 5 * 60_000;
  const log = o.log ?? ((m: string) => process.emitWarning(m));
  const pods = new Informer(o.client, { type: ref('Pod').type }, { fieldSelector: 'spec.nodeName!=' });
  pods.addIndex(byNodeName, (p) => [p.spec?.nodeName ?? '']);
  const nodeInformer = new Informer(o.client, { type: ref('Node').type });
  const queue = new WorkQueue<string>();
  const nodes = Array.from({ length: o.count }, (_, i) => {
    const nodeName = `${prefix}${i}`;
    return new HollowNode({
      client: o.client, heartbeatClient: o.heartbeatClient, nodeName, index: (o.firstIndex ?? 0) + i, capacity: o.capacity, labels: o.labels,
      leaseDurationSeconds: o.leaseDurationSeconds, now: o.now,
      // Pod events that came while the node was dead were dropped: look at all its pods again.
      onResume: () => { for (const p of pods.byIndex(byNodeName, nodeName)) queue.add(keyOf(p)); },
    });
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  await forEachLimit(nodes, concurrency, (n) => n.register());

  const ctl = new AbortController();
  const signal = ctl.signal;
  // Which node each queued pod was on, so that a pod gone from the cache still frees its IP.
  const placed = new Map<string, { node: HollowNode; uid: string }>();
  const enqueue = (pod: Obj) => { if (byName.has(pod.spec?.nodeName)) queue.add(keyOf(pod)); };
  pods.addHandler({ add: enqueue, update: (_old, cur) => enqueue(cur), delete: enqueue });

  const reconcile = async (key: string) => {
    const pod = pods.get(key);
    if (!pod) {
      const p = placed.get(key);
      placed.delete(key);
      p?.node.releasePod(p.uid);
      return;
    }
    const node = byName.get(pod.spec?.nodeName);
    if (!node) return;
    placed.set(key, { node, uid: pod.metadata.uid });
    return node.syncPod(pod);
  };

  // Each node beats on its own (kubelet's lease controller: JitterUntil, sliding, 4 % jitter), the
  // first beats spread over one interval. One loop over all nodes, 32 at a time, made a round take
  // 5,000 × latency / 32: past 40 s on a busy server, and every node looked silent at once.
  // One abort listener for all the nodes' timers (sleep() adds one per call: 5,000 on one signal).
  const pending = new Map<NodeJS.Timeout, () => void>();
  signal.addEventListener('abort', () => { for (const [t, wake] of pending) { clearTimeout(t); wake(); } pending.clear(); }, { once: true });
  const nap = (ms: number) => new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => { pending.delete(t); resolve(); }, ms);
    pending.set(t, resolve);
  });
  const beat = async (n: HollowNode, first: number) => {
    await nap(first);
    while (!signal.aborted) {
      if (n.alive) {
        try {
          await n.renewLease();
          await n.maybeReportStatus(nodeInformer.get(n.name), statusReportIntervalMs);
        } catch (e) {
          if (!signal.aborted) log(`hollow node ${n.name}: heartbeat failed: ${(e as Error).message}`);
        }
      }
      await nap(renewIntervalMs * (1 + 0.04 * Math.random()));
    }
  };
  const heartbeats = async () => { await Promise.all(nodes.map((n, i) => beat(n, (i / nodes.length) * renewIntervalMs))); };

  const running = [
    pods.run(signal), nodeInformer.run(signal),
    runWorkers({ name: 'hollow-pods', queue, reconciler: { reconcile }, workers: o.podWorkers ?? 16, signal,
      onError: (key, e) => log(`hollow pod ${key}: ${(e as Error).message}`) }),
  ];
  await nodeInformer.waitForSync();
  running.push(heartbeats());

  return {
    nodes,
    node: (name) => byName.get(name),
    async stop() {
      ctl.abort();
      await Promise.all(running);
    },
  };
}

/** Runs fn over items with at most `limit` calls in flight; rejects with the first error after all settle. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  let firstError: unknown;
  const worker = async () => {
    while (i < items.length) {
      const item = items[i++];
      try {
        await fn(item);
      } catch (e) {
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}
