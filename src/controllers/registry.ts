/**
 * @module Every controller of the controller manager, by name (kube-controller-manager's
 * --controllers names). A new controller is one folder plus one line here.
 */
import type { ControllerFactory } from './context.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { GarbageCollector } from './garbagecollector/garbage-collector.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { DisruptionController } from './disruption/disruption-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { NodeIPAMController } from './nodeipam/node-ipam-controller.js';
import { NodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { TaintEvictionController } from './nodelifecycle/taint-eviction-controller.js';
import { ServiceLBController } from './servicelb/servicelb-controller.js';
import { IngressController } from './ingress/ingress-controller.js';
import { PodGCController } from './podgc/pod-gc-controller.js';
import { ReplicaSetController } from './replicaset/replica-set-controller.js';
import { JobController } from './job/job-controller.js';
import { TTLAfterFinishedController } from './job/ttl-after-finished.js';
import { CronJobController } from './cronjob/cronjob-controller.js';
import { DaemonSetController } from './daemonset/daemonset-controller.js';
import { StatefulSetController } from './statefulset/statefulset-controller.js';

export const controllerFactories: Record<string, ControllerFactory> = {
  deployment: (ctx) => new DeploymentController(ctx),
  replicaset: (ctx) => new ReplicaSetController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  namespace: (ctx) => new NamespaceController(ctx),
  job: (ctx) => new JobController(ctx),
  'ttl-after-finished': (ctx) => new TTLAfterFinishedController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  endpoint: (ctx) => new EndpointsController(ctx),
  endpointslice: (ctx) => new EndpointSliceController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  podgc: (ctx) => new PodGCController(ctx, ctx.options?.podGC),
  daemonset: (ctx) => new DaemonSetController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx, ctx.options?.nodeLifecycle),
  'taint-eviction-controller': (ctx) => new TaintEvictionController(ctx),
  nodeipam: (ctx) => new NodeIPAMController(ctx, ctx.options?.nodeIPAM),
  servicelb: (ctx) => new ServiceLBController(ctx),
  ingress: (ctx) => new IngressController(ctx),
};
