/** @module NodeName: a pod that names its node fits only that node. */
import type { FilterPlugin } from '../../framework/interface.js';
import { unresolvable } from '../../framework/status.js';

export const Name = 'NodeName';
export const ErrReason = "node(s) didn't match the requested node name";

export const New = () => ({
  name: Name,
  filter(_state, pod, node) {
    const want = pod.pod.spec?.nodeName;
    return want && want !== node.name ? unresolvable(ErrReason) : undefined;
  },
}) satisfies FilterPlugin;
