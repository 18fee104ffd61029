/**
 * @module What every controller gets: the client, the shared informers and an event recorder.
 * A controller is an informer set, a work queue and a reconciler, built by a factory from this.
 */
import type { Client, Obj } from '../client/client.js';
import type { InformerFactory } from '../client/informer.js';

export interface EventSink {
  /** Records a core/v1 Event about obj (asynchronous; never throws). */
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Tunables of individual controllers (kube-controller-manager's flags); absent fields keep defaults. */
export interface ControllerOptions {
  nodeLifecycle?: Partial<import('./nodelifecycle/node-lifecycle-controller.js').NodeLifecycleOptions>;
  podGC?: Partial<import('./podgc/pod-gc-controller.js').PodGCOptions>;
  /** Node pod CIDRs (--cluster-cidr, --node-cidr-mask-size); absent: 10.42.0.0/16 cut into /24s. */
  nodeIPAM?: { clusterCIDR: string; nodeCIDRMaskSize?: number };
}

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  /** An event recorder for the named component (e.g. "deployment-controller"). */
  recorder(component: string): EventSink;
  /** Injectable clock for tests (ms since epoch). */
  now(): number;
  options?: ControllerOptions;
}

export interface Controller {
  readonly name: string;
  /** Registers informers and handlers; called before informers start. */
  setup?(): void;
  /** Runs workers until signal aborts; informers are synced when it is called. */
  run(signal: AbortSignal): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;
