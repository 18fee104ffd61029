/**
 * @module The node's heartbeat Lease in kube-node-lease, as the kubelet's lease controller keeps
 * it: renewTime moved forward each renewal, the Lease re-read or re-created when someone else
 * changed or removed it. Shared by the real kubelet and hollow nodes.
 */
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';

export const NodeLeaseNamespace = 'kube-node-lease';

/** MicroTime as the API serializes it (six fractional digits). */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  /** The Lease's leaseDurationSeconds (kubelet's nodeLeaseDurationSeconds, 40). */
  leaseDurationSeconds?: number;
  now?: () => number;
}

export class NodeLease {
  private lease?: Obj;
  private nodeUID = '';
  private readonly leases = ref('Lease', NodeLeaseNamespace);
  private readonly now: () => number;
  readonly leaseDurationSeconds: number;

  constructor(private readonly o: NodeLeaseOptions) {
    this.now = o.now ?? Date.now;
    this.leaseDurationSeconds = o.leaseDurationSeconds ?? 40;
  }

  /** The Node's uid, so that a created Lease is owned by (and garbage-collected with) the Node. */
  setOwner(nodeUID: string): void { this.nodeUID = nodeUID; }

  /** Renews the Lease, creating it when missing. Throws on API errors other than a lost race. */
  async renew(): Promise<void> {
    const renewTime = microTime(this.now());
    if (this.lease) {
      try {
        this.lease = await this.o.client.update(this.leases, { ...this.lease, spec: { ...this.lease.spec, renewTime } });
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        this.lease = undefined; // changed or removed by someone else: read it again below
      }
    }
    const spec = { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.leaseDurationSeconds, renewTime };
    try {
      const current = await this.o.client.get(this.leases, this.o.nodeName);
      this.lease = await this.o.client.update(this.leases, { ...current, spec: { ...current.spec, ...spec } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.lease = await this.o.client.create(this.leases, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.o.nodeName, namespace: NodeLeaseNamespace,
          ...(this.nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: this.nodeUID }] } : {}) },
        spec,
      });
    }
  }
}
