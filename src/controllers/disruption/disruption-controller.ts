/**
 * @module The disruption controller (kube-controller-manager's "disruption"): keeps each
 * PodDisruptionBudget's status — expected, healthy and desired pods, allowed disruptions, recently
 * evicted pods — which the eviction subresource reads and decrements.
 */
import { lookupKind } from '../../api/scheme.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import type { Client, Obj } from '../../client/client.js';
import { runWorkers, type Reconciler } from '../../client/controller.js';
import { type Informer, keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext, EventSink } from '../context.js';
import { rfc3339 } from '../controller-utils/conditions.js';
import { getControllerOf, type OwnerReference } from '../controller-utils/controller-ref.js';
import {
  countHealthyPods, disruptedPodMap, expectedPodCount, failSafeStatus, nextStatus, type ControllerScale, type ScaleFinder,
} from './budget.js';

export const Name = 'disruption';
const FieldManager = 'kube-controller-manager';

export interface DisruptionControllerOptions {
  /** Concurrent PDB syncs (upstream runs one worker). */
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

export class DisruptionController implements Controller, Reconciler {
  readonly name = Name;
  readonly queue = new WorkQueue<string>();
  private readonly client: Client;
  private readonly events: EventSink;
  private pdbs!: Informer;
  private pods!: Informer;
  private replicaSets!: Informer;
  private deployments!: Informer;
  private statefulSets!: Informer;

  constructor(private ctx: ControllerContext, private opts: DisruptionControllerOptions = {}) {
    this.client = ctx.client;
    this.events = ctx.recorder('controllermanager');
  }

  setup(): void {
    this.pdbs = this.ctx.informers.informer(ref('PodDisruptionBudget').type);
    this.pods = this.ctx.informers.informer(ref('Pod').type);
    this.replicaSets = this.ctx.informers.informer(ref('ReplicaSet').type);
    this.deployments = this.ctx.informers.informer(ref('Deployment').type);
    this.statefulSets = this.ctx.informers.informer(ref('StatefulSet').type);
    const enqueue = (pdb: Obj) => this.queue.add(keyOf(pdb));
    this.pdbs.addHandler({ add: enqueue, update: (_o, cur) => enqueue(cur), delete: enqueue });
    this.pods.addHandler({
      add: (pod) => this.enqueueForPod(pod),
      update: (old, cur) => { this.enqueueForPod(cur); this.enqueueForPod(old); },
      delete: (pod) => this.enqueueForPod(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runWorkers({ name: Name, queue: this.queue, reconciler: this, workers: this.opts.workers ?? 1, signal,
      onError: this.opts.onError });
  }

  /** getPdbForPod: every budget of the pod's namespace whose selector matches it. */
  private enqueueForPod(pod: Obj): void {
    for (const pdb of this.pdbs.list(pod.metadata?.namespace ?? '')) {
      if (selectorMatches(pdb, pod.metadata?.labels)) this.queue.add(keyOf(pdb));
    }
  }

  /** sync: a failure other than a conflict sets the fail-safe status (no disruptions allowed). */
  async reconcile(key: string): Promise<void> {
    const pdb = this.pdbs.get(key);
    if (!pdb) return;
    try {
      await this.trySync(pdb);
    } catch (e) {
      if (isConflict(e)) throw e;
      await this.writeStatus(pdb, failSafeStatus(pdb, e as Error, rfc3339(this.ctx.now())));
    }
  }

  private async trySync(pdb: Obj): Promise<void> {
    const { namespace } = pdb.metadata;
    const pods = this.pods.list(namespace).filter((p) => selectorMatches(pdb, p.metadata?.labels));
    if (pods.length === 0) this.events.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts;
    try {
      counts = await expectedPodCount(pdb, pods, this.finders());
    } catch (e) {
      this.events.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
      throw e;
    }
    if (counts.unmanagedPods.length) {
      this.events.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selectorText(pdb)}) were found ` +
        'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
        'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
    }
    const now = this.ctx.now();
    const { disrupted, recheckAt, notDeleted } = disruptedPodMap(pods, pdb, now);
    for (const pod of notDeleted) {
      this.events.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    const status = nextStatus(pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount, disrupted },
      rfc3339(now));
    if (status) await this.writeStatus(pdb, status);
    if (recheckAt !== undefined) this.queue.addAfter(keyOf(pdb), recheckAt - now);
  }

  private async writeStatus(pdb: Obj, status: Obj): Promise<void> {
    const next = { ...pdb, metadata: { ...pdb.metadata }, status };
    await this.client.updateStatus(ref('PodDisruptionBudget', pdb.metadata.namespace), next, { fieldManager: FieldManager });
  }

  /** Upstream's finders, in order: Deployment (through its ReplicaSet), ReplicaSet, StatefulSet, any kind with a scale subresource. */
  private finders(): ScaleFinder[] {
    return [
      async (cref, ns) => {
        if (!isApps(cref, 'ReplicaSet')) return undefined;
        const rs = this.replicaSets.getByName(ns, cref.name);
        if (!rs || rs.metadata.uid !== cref.uid) return undefined;
        const dref = getControllerOf(rs);
        if (!dref || !isApps(dref, 'Deployment')) return undefined;
        const d = this.deployments.getByName(ns, dref.name);
        if (!d || d.metadata.uid !== dref.uid) return undefined;
        return { uid: d.metadata.uid, scale: d.spec?.replicas ?? 1 };
      },
      async (cref, ns) => {
        if (!isApps(cref, 'ReplicaSet')) return undefined;
        const rs = this.replicaSets.getByName(ns, cref.name);
        if (!rs || rs.metadata.uid !== cref.uid) return undefined;
        // A Deployment's ReplicaSet counts as the Deployment.
        if (getControllerOf(rs)?.kind === 'Deployment') return undefined;
        return { uid: rs.metadata.uid, scale: rs.spec?.replicas ?? 1 };
      },
      async (cref, ns) => {
        if (!isApps(cref, 'StatefulSet')) return undefined;
        const ss = this.statefulSets.getByName(ns, cref.name);
        if (!ss || ss.metadata.uid !== cref.uid) return undefined;
        return { uid: ss.metadata.uid, scale: ss.spec?.replicas ?? 1 };
      },
      (cref, ns) => this.scaleOf(cref, ns),
    ];
  }

  /** getScaleController: the scale subresource's spec.replicas of any other kind; an error for kinds without one. */
  private async scaleOf(cref: OwnerReference, namespace: string): Promise<ControllerScale | undefined> {
    const type = lookupKind(cref.apiVersion, cref.kind);
    if (!type) throw new Error(`no matches for kind "${cref.kind}" in version "${cref.apiVersion}"`);
    if (!type.scale) throw new Error(`${type.group ? `${type.resource}.${type.group}` : type.resource} does not implement the scale subresource`);
    let owner: Obj;
    try {
      owner = await this.client.get({ type, namespace }, cref.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    if (owner.metadata.uid !== cref.uid) return undefined;
    const replicas = type.scale.specReplicasPath.split('.').reduce<any>((o, k) => o?.[k], owner);
    return { uid: owner.metadata.uid, scale: typeof replicas === 'number' ? replicas : 0 };
  }
}

/** A selector that does not parse matches nothing (upstream skips such budgets). */
function selectorMatches(pdb: Obj, labels: Record<string, string> | undefined): boolean {
  try {
    return matches(fromLabelSelector(pdb.spec?.selector), labels);
  } catch {
    return false;
  }
}

/** A LabelSelector as Go's %v prints it (its generated String()). */
function selectorText(pdb: Obj): string {
  const sel = pdb.spec?.selector;
  if (!sel) return 'nil';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels[k]},`).join('');
  const exprs = ((sel.matchExpressions ?? []) as Obj[])
    .map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

const isApps = (r: OwnerReference, kind: string) =>
  r.kind === kind && ['apps', 'extensions'].includes(r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '');
