/**
 * @module Protobuf field numbers of events.v1.Event … events.v1.EventSeries (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const eventsV1: MessageTable = {
  'events.v1.Event': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['eventTime', 'meta.v1.MicroTime', 'v'],
    3: ['series', 'events.v1.EventSeries'], 4: ['reportingController', 'string', 'v'],
    5: ['reportingInstance', 'string', 'v'], 6: ['action', 'string', 'v'], 7: ['reason', 'string', 'v'],
    8: ['regarding', 'core.v1.ObjectReference', 'v'], 9: ['related', 'core.v1.ObjectReference'],
    10: ['note', 'string', 'v'], 11: ['type', 'string', 'v'], 12: ['deprecatedSource', 'core.v1.EventSource', 'v'],
    13: ['deprecatedFirstTimestamp', 'meta.v1.Time', 'v'], 14: ['deprecatedLastTimestamp', 'meta.v1.Time', 'v'],
    15: ['deprecatedCount', 'int32', 'v'] },
  'events.v1.EventSeries': { 1: ['count', 'int32', 'v'], 2: ['lastObservedTime', 'meta.v1.MicroTime', 'v'] },
};
