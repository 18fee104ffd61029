/**
 * @module Protobuf field numbers of coordination.v1.Lease … coordination.v1.LeaseSpec (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const coordinationV1: MessageTable = {
  'coordination.v1.Lease': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['spec', 'coordination.v1.LeaseSpec', 'v'] },
  'coordination.v1.LeaseSpec': { 1: ['holderIdentity', 'string'], 2: ['leaseDurationSeconds', 'int32'],
    3: ['acquireTime', 'meta.v1.MicroTime'], 4: ['renewTime', 'meta.v1.MicroTime'], 5: ['leaseTransitions', 'int32'],
    6: ['strategy', 'string'], 7: ['preferredHolder', 'string'] },
};
