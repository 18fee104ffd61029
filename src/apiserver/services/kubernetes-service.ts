/**
 * @module The `kubernetes` service in `default` and its endpoints, as kube-apiserver's
 * kubernetesservice controller and "lease" endpoint reconciler: the service (first IP of the
 * service CIDR, https 443 → the API server's port) is created if missing and its ports set right
 * on the first pass; each API server keeps a lease key with its advertise address alive, and the
 * Endpoints and EndpointSlice `kubernetes` list the addresses of the live leases.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { lookupResource } from '../../api/scheme.js';
import { isAlreadyExists, isNotFound } from '../../apimachinery/errors.js';
import { ConflictError, KeyExistsError, NotFoundError, type Store } from '../../storage/store.js';
import { ensureSystemNamespaces } from '../bootstrap.js';
import { NO_CHANGE, type ResourceStorage } from '../registry/resource-storage.js';
import type { StorageRegistry } from '../registry/registry.js';

export const APISERVER_LEASES_PREFIX = '/registry/tugboat.io/apiserverleases/';
const NAME = 'kubernetes';
const NS = 'default';
const MANAGER = { fieldManager: 'kube-apiserver' };

export interface KubernetesServiceOptions {
  serviceIP: string;
  advertiseAddress: string;
  /** The API server's port: the service's targetPort and the endpoints' port. */
  port: number;
  /** How often the lease is renewed and the endpoints reconciled (upstream: 10 s). */
  intervalMs?: number;
  /** How long a lease outlives its last renewal (upstream: 15 s). */
  leaseTTLMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

interface Lease { address: string; port: number; expiresAt: number }

export class KubernetesServiceReconciler {
  private timer?: NodeJS.Timeout;
  private readonly services: ResourceStorage;
  private readonly endpoints: ResourceStorage;
  private readonly slices: ResourceStorage;

  constructor(private registry: StorageRegistry, private store: Store, private o: KubernetesServiceOptions) {
    this.services = registry.storageFor(lookupResource('', 'v1', 'services')!);
    this.endpoints = registry.storageFor(lookupResource('', 'v1', 'endpoints')!);
    this.slices = registry.storageFor(lookupResource('discovery.k8s.io', 'v1', 'endpointslices')!);
  }

  /** The first pass (namespace, service with its ports reconciled, lease, endpoints), then one every interval. */
  async start(): Promise<void> {
    await ensureSystemNamespaces(this.registry);
    await this.ensureService(true);
    await this.renewLease();
    await this.reconcileEndpoints();
    this.timer = setInterval(() => {
      this.pass().catch((err) => this.o.log?.warn({ err }, 'kubernetes service reconcile failed'));
    }, this.o.intervalMs ?? 10_000);
  }

  /** Drops this server's lease and takes its address out of the endpoints. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.store.delete(this.leaseKey()).catch((e) => { if (!(e instanceof NotFoundError)) throw e; });
      await this.reconcileEndpoints();
    } catch (err) {
      this.o.log?.warn({ err }, 'kubernetes endpoints clean-up failed');
    }
  }

  async pass(): Promise<void> {
    await this.ensureService(false);
    await this.renewLease();
    await this.reconcileEndpoints();
  }

  private desiredPorts() { return [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.o.port }]; }

  /** Creates the service if missing; on the first pass also puts its ports and type right. */
  private async ensureService(reconcile: boolean): Promise<void> {
    try {
      const svc = await this.services.get(NS, NAME) as Service;
      const ok = svc.spec?.type === 'ClusterIP' && JSON.stringify(svc.spec.ports) === JSON.stringify(this.desiredPorts());
      if (!reconcile || ok) return;
      await this.services.update(NS, NAME, (cur) => ({ ...cur, spec: { ...cur.spec, type: 'ClusterIP', ports: this.desiredPorts() } }), MANAGER);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const svc: Service = {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: NAME, namespace: NS, labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { type: 'ClusterIP', clusterIP: this.o.serviceIP, sessionAffinity: 'None', ports: this.desiredPorts() },
      };
      await this.services.create(NS, svc, MANAGER).catch((err) => { if (!isAlreadyExists(err)) throw err; });
    }
  }

  private leaseKey() { return APISERVER_LEASES_PREFIX + this.o.advertiseAddress; }

  private async renewLease(): Promise<void> {
    const lease: Lease = { address: this.o.advertiseAddress, port: this.o.port, expiresAt: Date.now() + (this.o.leaseTTLMs ?? 15_000) };
    const value = JSON.stringify(lease);
    const { kv } = await this.store.get(this.leaseKey());
    try {
      if (kv) await this.store.update(kv.key, value, kv.modRevision);
      else await this.store.create(this.leaseKey(), value);
    } catch (e) {
      // Another server with the same address renewed it in between: the lease is alive either way.
      if (!(e instanceof ConflictError || e instanceof KeyExistsError || e instanceof NotFoundError)) throw e;
    }
  }

  /** The live leases' addresses; expired leases are removed. */
  private async liveAddresses(): Promise<string[]> {
    const now = Date.now();
    const live = new Set<string>();
    for (const kv of (await this.store.list(APISERVER_LEASES_PREFIX)).items) {
      let lease: Partial<Lease> = {};
      try { lease = JSON.parse(kv.value); } catch { /* an unreadable lease counts as expired */ }
      if (lease.address && (lease.expiresAt ?? 0) > now) {
        live.add(lease.address);
        continue;
      }
      await this.store.delete(kv.key, kv.modRevision).catch((e) => {
        if (!(e instanceof ConflictError || e instanceof NotFoundError)) throw e;
      });
    }
    return [...live].sort();
  }

  private async reconcileEndpoints(): Promise<void> {
    const addresses = await this.liveAddresses();
    const port = { name: 'https', port: this.o.port, protocol: 'TCP' };
    // The lease reconciler keeps the EndpointSliceMirroring controller off this object.
    const endpoints: Endpoints = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: addresses.length ? [{ addresses: addresses.map((ip) => ({ ip })), ports: [port] }] : [],
    };
    // Upstream's EndpointsAdapter writes the slice with the service-name label only (no managed-by).
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
      addressType: 'IPv4',
      endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [port],
    };
    await upsert(this.endpoints, endpoints, (o) => ({ labels: o.metadata?.labels, subsets: o.subsets ?? [] }));
    await upsert(this.slices, slice, (o) => ({
      labels: o.metadata?.labels, addressType: o.addressType, ports: o.ports,
      endpoints: (o.endpoints ?? []).map((e: any) => [e.addresses, e.conditions?.ready]),
    }));
  }
}

/** Creates obj, or replaces the fields `view` names when they differ from what is stored. */
async function upsert(storage: ResourceStorage, obj: any, view: (o: any) => unknown): Promise<void> {
  const { name, namespace } = obj.metadata;
  const want = JSON.stringify(view(obj));
  try {
    await storage.update(namespace, name, (cur) => {
      if (JSON.stringify(view(cur)) === want) throw NO_CHANGE;
      const { metadata, apiVersion, kind, ...fields } = obj;
      return { ...cur, ...fields, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...metadata.labels } } };
    }, MANAGER, async () => storage.create(namespace, structuredClone(obj), MANAGER));
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
