/**
 * @module The in-tree plugin registry (Name → factory) and the default profile: kube-scheduler's
 * default filter order and score weights.
 */
import type { PluginFactory, Profile } from './framework/runtime.js';
import * as DefaultPreemption from './plugins/default-preemption/default-preemption.js';
import * as ImageLocality from './plugins/image-locality/image-locality.js';
import * as InterPodAffinity from './plugins/inter-pod-affinity/inter-pod-affinity.js';
import * as NodeAffinity from './plugins/node-affinity/node-affinity.js';
import * as NodeName from './plugins/node-name/node-name.js';
import * as NodePorts from './plugins/node-ports/node-ports.js';
import * as BalancedAllocation from './plugins/node-resources-balanced-allocation/node-resources-balanced-allocation.js';
import * as NodeResourcesFit from './plugins/node-resources-fit/node-resources-fit.js';
import * as NodeUnschedulable from './plugins/node-unschedulable/node-unschedulable.js';
import * as PodTopologySpread from './plugins/pod-topology-spread/pod-topology-spread.js';
import * as TaintToleration from './plugins/taint-toleration/taint-toleration.js';

export const inTreeRegistry: Readonly<Record<string, PluginFactory>> = {
  [NodeName.Name]: NodeName.New,
  [NodeUnschedulable.Name]: NodeUnschedulable.New,
  [NodeResourcesFit.Name]: NodeResourcesFit.New,
  [NodeAffinity.Name]: NodeAffinity.New,
  [TaintToleration.Name]: TaintToleration.New,
  [InterPodAffinity.Name]: InterPodAffinity.New,
  [PodTopologySpread.Name]: PodTopologySpread.New,
  [NodePorts.Name]: NodePorts.New,
  [ImageLocality.Name]: ImageLocality.New,
  [BalancedAllocation.Name]: BalancedAllocation.New,
  [DefaultPreemption.Name]: DefaultPreemption.New,
};

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export const defaultProfile = (): Profile => ({
  schedulerName: DEFAULT_SCHEDULER_NAME,
  filter: [NodeUnschedulable.Name, NodeName.Name, TaintToleration.Name, NodeAffinity.Name, NodePorts.Name, NodeResourcesFit.Name,
    PodTopologySpread.Name, InterPodAffinity.Name],
  postFilter: [DefaultPreemption.Name],
  score: [
    { name: TaintToleration.Name, weight: 3 },
    { name: NodeAffinity.Name, weight: 2 },
    { name: NodeResourcesFit.Name, weight: 1 },
    { name: PodTopologySpread.Name, weight: 2 },
    { name: InterPodAffinity.Name, weight: 2 },
    { name: BalancedAllocation.Name, weight: 1 },
    { name: ImageLocality.Name, weight: 1 },
  ],
});
