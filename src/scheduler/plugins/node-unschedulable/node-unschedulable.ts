/** @module NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods tolerating its taint. */
import type { FilterPlugin } from '../../framework/interface.js';
import { unresolvable } from '../../framework/status.js';
import { tolerated } from '../../util/taints.js';

export const Name = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const New = () => ({
  name: Name,
  filter(_state, pod, node) {
    if (!node.unschedulable) return undefined;
    return tolerated(pod.pod.spec?.tolerations ?? [], unschedulableTaint) ? undefined : unresolvable(ErrReasonUnschedulable);
  },
}) satisfies FilterPlugin;
