/**
 * @module Every controller of the controller manager, by name (kube-controller-manager's
 * --controllers names). A new controller is one folder plus one line here.
 */
import type { ControllerFactory } from './context.js';
import { ReplicaSetController } from './replicaset/replica-set-controller.js';

export const controllerFactories: Record<string, ControllerFactory> = {
  replicaset: (ctx) => new ReplicaSetController(ctx),
};
