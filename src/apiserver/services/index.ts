/**
 * @module Service networking in the API server: cluster-IP and node-port allocation on every
 * service write, the repair loop, and the `kubernetes` service with this server's endpoint.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../../api/scheme.js';
import type { Store } from '../../storage/store.js';
import type { StorageRegistry } from '../registry/registry.js';
import { ClusterIPAllocator, NodePortAllocator } from './allocators.js';
import { serviceWriteHooks } from './hooks.js';
import { KubernetesServiceReconciler } from './kubernetes-service.js';
import { DEFAULT_NODE_PORT_RANGE } from './port-range.js';
import { DEFAULT_SERVICE_CIDR, serviceIPAt } from './service-ip.js';
import { startRepairLoop } from './repair.js';
import { ServiceAllocator } from './service-alloc.js';


export interface ServiceNetworkOptions {
  /** Default 10.43.0.0/16. */
  serviceCIDR?: string;
  /** Default 30000-32767. */
  nodePortRange?: string;
  /** This server's address in the `kubernetes` endpoints; without it no `kubernetes` service is kept. */
  advertiseAddress?: string;
  /** Repair pass interval (upstream: 3 min). */
  repairIntervalMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

export class ServiceNetwork {
  readonly allocator: ServiceAllocator;
  private repair?: { stop(): void };
  private kubernetes?: KubernetesServiceReconciler;

  /** Installs the allocation hooks at once, so no service is written without them. */
  constructor(private registry: StorageRegistry, private store: Store, private o: ServiceNetworkOptions = {}) {
    const cidr = o.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
    this.allocator = new ServiceAllocator(new ClusterIPAllocator(store, cidr),
      new NodePortAllocator(store, o.nodePortRange ?? DEFAULT_NODE_PORT_RANGE),
      (err) => o.log?.warn({ err }, 'service allocation release failed'));
    registry.setWriteHooks(servicesType(), serviceWriteHooks(this.allocator, (err) => o.log?.warn({ err }, 'service release failed')));
  }

  /** Starts the repair loop and, with an advertise address, the `kubernetes` service (first pass awaited). */
  async start(apiPort: number): Promise<void> {
    const services = this.registry.storageFor(servicesType());
    this.repair = startRepairLoop(this.allocator, async () => (await services.list('')).items as Service[],
      { intervalMs: this.o.repairIntervalMs ?? 180_000, log: this.o.log });
    if (!this.o.advertiseAddress) return;
    this.kubernetes = new KubernetesServiceReconciler(this.registry, this.store, {
      serviceIP: serviceIPAt(this.o.serviceCIDR ?? DEFAULT_SERVICE_CIDR, 1), advertiseAddress: this.o.advertiseAddress,
      port: apiPort, log: this.o.log,
    });
    await this.kubernetes.start();
  }

  async stop(): Promise<void> {
    this.repair?.stop();
    await this.kubernetes?.stop();
  }
}

const servicesType = () => lookupResource('', 'v1', 'services')!;
