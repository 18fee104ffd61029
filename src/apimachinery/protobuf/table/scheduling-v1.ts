/**
 * @module Protobuf field numbers of scheduling.v1.PriorityClass … scheduling.v1.PriorityClass (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const schedulingV1: MessageTable = {
  'scheduling.v1.PriorityClass': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['value', 'int32', 'v'],
    3: ['globalDefault', 'bool', 'v'], 4: ['description', 'string', 'v'], 5: ['preemptionPolicy', 'string'] },
};
