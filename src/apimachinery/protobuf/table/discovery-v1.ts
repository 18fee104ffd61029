/**
 * @module Protobuf field numbers of discovery.v1.Endpoint … discovery.v1.ForZone (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const discoveryV1: MessageTable = {
  'discovery.v1.Endpoint': { 1: ['addresses', 'string', 'r'],
    2: ['conditions', 'discovery.v1.EndpointConditions', 'v'], 3: ['hostname', 'string'],
    4: ['targetRef', 'core.v1.ObjectReference'], 5: ['deprecatedTopology', 'string', 'm'], 6: ['nodeName', 'string'],
    7: ['zone', 'string'], 8: ['hints', 'discovery.v1.EndpointHints'] },
  'discovery.v1.EndpointConditions': { 1: ['ready', 'bool'], 2: ['serving', 'bool'], 3: ['terminating', 'bool'] },
  'discovery.v1.EndpointHints': { 1: ['forZones', 'discovery.v1.ForZone', 'r'] },
  'discovery.v1.EndpointPort': { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int32'],
    4: ['appProtocol', 'string'] },
  'discovery.v1.EndpointSlice': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 4: ['addressType', 'string', 'v'],
    2: ['endpoints', 'discovery.v1.Endpoint', 'r'], 3: ['ports', 'discovery.v1.EndpointPort', 'r'] },
  'discovery.v1.ForZone': { 1: ['name', 'string', 'v'] },
};
