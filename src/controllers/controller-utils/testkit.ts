/**
 * @module Test support for controller tests (not used by the server): an in-process cluster
 * wrapped in a Client that records every write, an EventSink that keeps events, a controllable
 * clock, and a fake kubelet that binds pods, marks them Running+Ready and completes deletions.
 */
import type { Client, Obj, ResourceRef, WatchEvent } from '../../client/client.js';
import { type Informer, type InformerOptions, InformerFactory, keyOf, sleep } from '../../client/informer.js';
import type { ResourceType } from '../../api/scheme.js';
import { ref } from '../../client/kind-ref.js';
import type { ControllerContext, EventSink } from '../context.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';

/** One recorded write: verb, resource (with /subresource), namespace/name. */
export interface Action { verb: string; resource: string; name: string; body?: unknown }

/** Wraps a Client and records its writes (reads pass through unrecorded). */
export function recordingClient(inner: Client, actions: Action[]): Client {
  const rec = (verb: string, r: ResourceRef, name: string, sub?: string, body?: unknown) =>
    actions.push({ verb, resource: r.type.resource + (sub ? `/${sub}` : ''), name: `${r.namespace ?? ''}/${name}`, body });
  return {
    get: (r, n) => inner.get(r, n),
    list: (r, o) => inner.list(r, o),
    watch: (r, o, s) => inner.watch(r, o, s),
    async create(r, obj, o) { const out = await inner.create(r, obj, o); rec('create', r, out.metadata.name, undefined, obj); return out; },
    async update(r, obj, o) { const out = await inner.update(r, obj, o); rec('update', r, obj.metadata.name, o?.subresource, obj); return out; },
    async updateStatus(r, obj, o) { const out = await inner.updateStatus(r, obj, o); rec('update', r, obj.metadata.name, 'status', obj.status); return out; },
    async patch(r, n, t, p, o) { const out = await inner.patch(r, n, t, p, o); rec('patch', r, n, o?.subresource, p); return out; },
    async delete(r, n, o) { const out = await inner.delete(r, n, o); rec('delete', r, n); return out; },
    async createSubresource(r, n, s, b) { const out = await inner.createSubresource(r, n, s, b); rec('create', r, n, s, b); return out; },
  };
}

/** A recorded Event. */
export interface RecordedEvent { component: string; object: string; type: string; reason: string; message: string }

/** A cluster with a ControllerContext whose client records writes and whose clock tests can move. */
export interface ControllerTestKit {
  cluster: InProcessCluster;
  /** A client that is not recorded (seeding, asserting). */
  admin: Client;
  ctx: ControllerContext;
  actions: Action[];
  events: RecordedEvent[];
  /** Milliseconds added to the real clock by advance(). */
  advance(ms: number): void;
  /** Starts the context's informers and waits for their caches. */
  start(): Promise<void>;
  /** Waits until every informer's cache equals a fresh list (so a reconcile reads the latest writes). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startControllerTestKit(): Promise<ControllerTestKit> {
  const cluster = await startInProcess();
  const actions: Action[] = [];
  const events: RecordedEvent[] = [];
  const ctl = new AbortController();
  let offset = 0;
  const client = recordingClient(cluster.client('kube-controller-manager'), actions);
  const informers = new TrackingInformerFactory(client, { freeze: true });
  const ctx: ControllerContext = {
    client, informers, now: () => Date.now() + offset,
    recorder: (component): EventSink => ({
      event: (obj, type, reason, message) => events.push({
        component, object: `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`, type, reason, message }),
    }),
  };
  const admin = cluster.client('test');
  return {
    cluster, admin, ctx, actions, events,
    advance(ms) { offset += ms; },
    async start() { informers.start(ctl.signal); await informers.waitForSync(); },
    async settle() {
      for (const inf of informers.all) {
        const want = await admin.list(inf.ref);
        const same = () => inf.list().length === want.items.length &&
          want.items.every((o) => inf.get(keyOf(o))?.metadata?.resourceVersion === o.metadata.resourceVersion);
        while (!same()) await sleep(5);
      }
    },
    async close() { ctl.abort(); await cluster.close(); },
  };
}

/** Remembers every informer it hands out, so that settle() can wait for all of them. */
class TrackingInformerFactory extends InformerFactory {
  readonly all = new Set<Informer>();
  override informer(type: ResourceType, opts?: InformerOptions & { namespace?: string }): Informer {
    const inf = super.informer(type, opts);
    this.all.add(inf);
    return inf;
  }
}

export interface FakeKubeletOptions {
  /** Pods of these templates (by label app=…) never become ready (a broken image). */
  neverReady?: (pod: Obj) => boolean;
  /** Delay before a bound pod turns Running+Ready. */
  readyAfterMs?: number;
  nodeName?: string;
}

/**
 * Stands in for nodes: binds every new pod (pods/binding), sets it Running and Ready through the
 * status subresource, and completes graceful deletions at once. Stops when `signal` aborts.
 */
export async function runFakeKubelet(client: Client, namespace: string, signal: AbortSignal, opts: FakeKubeletOptions = {}): Promise<void> {
  const pods = ref('Pod', namespace);
  const node = opts.nodeName ?? 'node-1';
  const handle = async (ev: WatchEvent) => {
    const pod = ev.object;
    if (ev.type === 'DELETED' || ev.type === 'ERROR' || ev.type === 'BOOKMARK') return;
    const name = pod.metadata.name;
    try {
      if (pod.metadata.deletionTimestamp) {
        await client.delete(pods, name, { gracePeriodSeconds: 0 });
        return;
      }
      if (!pod.spec?.nodeName) {
        await client.createSubresource(pods, name, 'binding',
          { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
        return;
      }
      if (pod.status?.phase === 'Running') return;
      if (opts.readyAfterMs) await sleep(opts.readyAfterMs, signal);
      const fresh = await client.get(pods, name);
      if (fresh.metadata.deletionTimestamp || fresh.status?.phase === 'Running') return;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const ready = opts.neverReady?.(fresh) ? 'False' : 'True';
      fresh.status = {
        phase: 'Running', startTime: now, podIP: '10.0.0.1',
        conditions: [{ type: 'Ready', status: ready, lastTransitionTime: now }, { type: 'PodScheduled', status: 'True', lastTransitionTime: now }],
        containerStatuses: (fresh.spec.containers ?? []).map((c: Obj) =>
          ({ name: c.name, image: c.image, imageID: '', ready: ready === 'True', restartCount: 0, started: true, state: { running: { startedAt: now } } })),
      };
      await client.updateStatus(pods, fresh);
    } catch {
      // Conflicts and vanished pods: the next watch event brings the pod back here.
    }
  };
  while (!signal.aborted) {
    try {
      for await (const ev of client.watch(pods, { resourceVersion: '' }, signal)) void handle(ev);
    } catch {
      await sleep(50, signal);
    }
  }
}
