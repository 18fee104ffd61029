/**
 * @module Downward API field paths (fieldRef) resolved against a pod, as the kubelet's
 * podFieldSelectorRuntimeValue (env) and fieldpath.ExtractFieldPathAsString (env and volumes) do,
 * with their error texts.
 */
import type { Obj } from '../../client/client.js';

/** Splits `metadata.labels['key']` into path and subscript; undefined when not subscripted. */
export function splitSubscriptedPath(fieldPath: string): { path: string; subscript: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return { path: s.slice(0, at), subscript: s.slice(at + 2) };
}

/** strconv.Quote for the values of FormatMap: Go escapes, printable characters kept. */
function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** fieldpath.FormatMap: `key="value"` lines in key order, as the labels/annotations files read. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(String(m![k]))}`).join('\n');
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  return QUALIFIED_NAME.test(key) && name.length <= 63 && (slash < 0 || slash <= 253);
}

/** fieldpath.ExtractFieldPathAsString: the metadata fields the downward API exposes. Throws Error. */
export function extractFieldPathAsString(pod: Obj, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = splitSubscriptedPath(fieldPath);
  if (sub) {
    const key = sub.path === 'metadata.annotations' ? sub.subscript.toLowerCase() : sub.subscript;
    if (sub.path !== 'metadata.annotations' && sub.path !== 'metadata.labels') throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
    if (!isQualifiedName(key)) throw new Error(`invalid key subscript in ${fieldPath}: must be a qualified name`);
    return (sub.path === 'metadata.annotations' ? meta.annotations : meta.labels)?.[sub.subscript] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const POD_FIELDS = new Set(['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP',
  'status.hostIPs', 'status.podIP', 'status.podIPs']);

/** podshelper.ConvertDownwardAPIFieldLabel: checks the version and the path, maps the old spec.host. */
function convertFieldLabel(apiVersion: string, label: string): string {
  if (apiVersion !== 'v1') throw new Error(`unsupported pod version: ${apiVersion}`);
  const sub = splitSubscriptedPath(label);
  if (sub) {
    if (sub.path === 'metadata.annotations' || sub.path === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  if (label === 'spec.host') return 'spec.nodeName';
  if (!POD_FIELDS.has(label)) throw new Error(`field label not supported: ${label}`);
  return label;
}

export interface PodRuntimeFields {
  podIP: string;
  podIPs: string[];
  hostIP: string;
  hostIPs: string[];
  nodeName: string;
}

/** An env var's fieldRef value: the runtime fields (IPs, node), then the pod's metadata. Throws Error. */
export function podFieldSelectorRuntimeValue(fieldRef: Obj, pod: Obj, rt: PodRuntimeFields): string {
  const path = convertFieldLabel(fieldRef.apiVersion || 'v1', String(fieldRef.fieldPath ?? ''));
  const podIP = rt.podIPs[0] ?? rt.podIP;
  switch (path) {
    case 'spec.nodeName': return pod.spec?.nodeName || rt.nodeName;
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return rt.hostIPs[0] ?? rt.hostIP;
    case 'status.hostIPs': return (rt.hostIPs.length ? rt.hostIPs : [rt.hostIP]).join(',');
    case 'status.podIP': return podIP;
    case 'status.podIPs': return (rt.podIPs.length ? rt.podIPs : podIP ? [podIP] : []).join(',');
  }
  return extractFieldPathAsString(pod, path);
}
