/**
 * @module Selectable fields per resource: which labels the apiserver accepts (the scheme's
 * field label conversion funcs) and the values an object has for them (each registry's GetAttrs).
 */
import type { ResourceType } from '../../api/scheme.js';
import { newBadRequest } from '../errors.js';
import { type FieldSelector, matchesFieldSet } from './selector.js';

type Obj = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Getter = (o: Obj) => string;

interface KindFields {
  group: string;
  /** Accepted labels (after aliasing) and how to read each from an object. */
  fields: Record<string, Getter>;
  /** Labels a client may send that name another field (old names, events.k8s.io names). */
  aliases?: Record<string, string>;
  /** Kinds with a registered conversion func say "field label not supported"; the rest use the default's text. */
  custom: boolean;
}

const str = (v: unknown) => (v == null ? '' : String(v));
const name: Getter = (o) => str(o?.metadata?.name);
const namespace: Getter = (o) => str(o?.metadata?.namespace);
const meta = { 'metadata.name': name, 'metadata.namespace': namespace };

// Both event APIs are one object inside: events.k8s.io names involvedObject "regarding" and
// reportingComponent "reportingController", so read whichever the object carries.
const regarding = (o: Obj) => o.involvedObject ?? o.regarding ?? {};
const reporter = (o: Obj) => str(o.reportingComponent ?? o.reportingController);
const eventFields: Record<string, Getter> = {
  ...meta,
  'involvedObject.kind': (o) => str(regarding(o).kind),
  'involvedObject.namespace': (o) => str(regarding(o).namespace),
  'involvedObject.name': (o) => str(regarding(o).name),
  'involvedObject.uid': (o) => str(regarding(o).uid),
  'involvedObject.apiVersion': (o) => str(regarding(o).apiVersion),
  'involvedObject.resourceVersion': (o) => str(regarding(o).resourceVersion),
  'involvedObject.fieldPath': (o) => str(regarding(o).fieldPath),
  reason: (o) => str(o.reason),
  reportingComponent: reporter,
  type: (o) => str(o.type),
};
// The registry falls back to the reporting controller when source.component is empty.
const coreEventFields = { ...eventFields, source: (o: Obj) => str((o.source ?? o.deprecatedSource)?.component) || reporter(o) };

/** Keyed by kind; `group` tells a built-in kind from a custom resource of the same name. */
const kinds: Record<string, KindFields> = {
  Pod: {
    group: '', custom: true,
    fields: {
      ...meta,
      'spec.nodeName': (o) => str(o.spec?.nodeName),
      'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
      'spec.schedulerName': (o) => str(o.spec?.schedulerName),
      'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
      'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
      'status.phase': (o) => str(o.status?.phase),
      'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
      'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
    },
    aliases: { 'spec.host': 'spec.nodeName' }, // old v1 clients
  },
  // Nodes and namespaces are cluster-scoped: upstream accepts no metadata.namespace for them.
  Node: { group: '', custom: true, fields: { 'metadata.name': name, 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) } },
  Namespace: { group: '', custom: true, fields: { 'metadata.name': name, 'status.phase': (o) => str(o.status?.phase) } },
  Event: { group: '', custom: true, fields: coreEventFields },
  Secret: { group: '', custom: true, fields: { ...meta, type: (o) => str(o.type) } },
  Service: { group: '', custom: true, fields: { ...meta, 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) } },
  Job: { group: 'batch', custom: true, fields: { ...meta, 'status.successful': (o) => String(o.status?.succeeded ?? 0) } },
};

const eventsV1: KindFields = {
  group: 'events.k8s.io', custom: true,
  fields: eventFields, // events.k8s.io accepts no "source" label
  aliases: {
    'regarding.kind': 'involvedObject.kind', 'regarding.namespace': 'involvedObject.namespace',
    'regarding.name': 'involvedObject.name', 'regarding.uid': 'involvedObject.uid',
    'regarding.apiVersion': 'involvedObject.apiVersion', 'regarding.resourceVersion': 'involvedObject.resourceVersion',
    'regarding.fieldPath': 'involvedObject.fieldPath', reportingController: 'reportingComponent',
  },
};

// Every other kind takes runtime.DefaultMetaV1FieldSelectorConversion. That includes apps/v1
// ReplicaSets: their registry exposes status.replicas but no conversion func accepts it.
const defaults: KindFields = { group: '', custom: false, fields: meta };

/** A kind name means the built-in kind; a ResourceType also tells events.k8s.io and custom groups apart. */
export type KindRef = ResourceType | string;

function kindOf(k: KindRef): KindFields {
  if (typeof k === 'string') return kinds[k] ?? defaults;
  if (k.group === 'events.k8s.io' && k.kind === 'Event') return eventsV1;
  const found = kinds[k.kind];
  return found && found.group === k.group ? found : defaults;
}

/**
 * Checks every label against the kind (Selector.Transform with the scheme's ConvertFieldLabel)
 * and renames aliases. Throws BadRequest with upstream's text, e.g. `field label not supported: spec.foo`.
 */
export function convertFieldSelector(t: KindRef, sel: FieldSelector): FieldSelector {
  const k = kindOf(t);
  return {
    requirements: sel.requirements.map((r) => {
      const field = k.aliases?.[r.field] ?? r.field;
      if (!(field in k.fields)) {
        throw newBadRequest(k.custom
          ? `field label not supported: ${r.field}`
          : `${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
      }
      return { ...r, field };
    }),
  };
}

/** The object's selectable fields (fields.Set), keyed by canonical label. */
export function fieldsOf(t: KindRef, obj: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, get] of Object.entries(kindOf(t).fields)) out[label] = get(obj);
  return out;
}

/** Whether the object matches a selector already passed through convertFieldSelector. */
export const matchesFields = (sel: FieldSelector, t: KindRef, obj: Obj) =>
  sel.requirements.length === 0 || matchesFieldSet(sel, fieldsOf(t, obj));
