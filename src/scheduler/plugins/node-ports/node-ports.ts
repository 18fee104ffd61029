/** @module NodePorts: a pod's hostPorts must be free on the node (same protocol and port, overlapping IP). */
import type { FilterPlugin } from '../../framework/interface.js';
import { portConflicts } from '../../framework/node-info.js';
import { unschedulable } from '../../framework/status.js';

export const Name = 'NodePorts';
export const ErrReason = "node(s) didn't have free ports for the requested pod ports";

export const New = () => ({
  name: Name,
  filter(_state, pod, node) {
    for (const hp of pod.hostPorts) if (portConflicts(node.usedPorts, hp)) return unschedulable(ErrReason);
    return undefined;
  },
}) satisfies FilterPlugin;
