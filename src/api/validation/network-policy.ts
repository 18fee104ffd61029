/** @module networking.k8s.io/v1 NetworkPolicy rules: selectors, ports and peers, IP blocks, policy types. */
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { forbidden, invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { validateLabelSelector } from '../../apimachinery/validation/labels.js';
import { isValidCIDR, isValidPortName, isValidPortNum, parseCIDR } from '../../apimachinery/validation/names.js';
import type { KindRules } from './types.js';

function validatePort(p: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']));
  if (typeof p.port === 'number') {
    errs.push(...invalidEach(`${path}.port`, p.port, isValidPortNum(p.port)));
    if (p.endPort !== undefined) {
      if (p.endPort < p.port) errs.push(invalid(`${path}.endPort`, p.port, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(`${path}.endPort`, p.endPort, isValidPortNum(p.endPort)));
    }
  } else if (typeof p.port === 'string') {
    if (p.endPort !== undefined) errs.push(invalid(`${path}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(`${path}.port`, p.port, isValidPortName(p.port)));
  } else if (p.endPort !== undefined) {
    errs.push(invalid(`${path}.endPort`, p.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

/** Whether `inner` lies strictly inside `outer` (a longer prefix with the same leading bits). */
function strictSubset(outer: string, inner: string): boolean {
  const o = parseCIDR(outer), i = parseCIDR(inner);
  if (!o || !i || o.family !== i.family || i.bits <= o.bits) return false;
  const bits = (ip: string, fam: 4 | 6) => (fam === 4
    ? ip.split('.').map((x) => Number(x).toString(2).padStart(8, '0')).join('')
    : expandIPv6(ip).map((x) => parseInt(x, 16).toString(2).padStart(16, '0')).join(''));
  return bits(o.ip, o.family).slice(0, o.bits) === bits(i.ip, i.family).slice(0, o.bits);
}

function expandIPv6(ip: string): string[] {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [], t = tail ? tail.split(':') : [];
  return ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
}

function validateIPBlock(b: IPBlock, path: string): FieldError[] {
  if (!b.cidr) return [required(`${path}.cidr`)];
  const errs = invalidEach(`${path}.cidr`, b.cidr, isValidCIDR(b.cidr));
  (b.except ?? []).forEach((e, i) => {
    const at = `${path}.except[${i}]`;
    const msgs = isValidCIDR(e);
    if (msgs.length) errs.push(...invalidEach(at, e, msgs));
    else if (!errs.length && !strictSubset(b.cidr, e)) errs.push(invalid(at, e, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(p: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (p.podSelector) { n++; errs.push(...validateLabelSelector(p.podSelector, `${path}.podSelector`)); }
  if (p.namespaceSelector) { n++; errs.push(...validateLabelSelector(p.namespaceSelector, `${path}.namespaceSelector`)); }
  if (p.ipBlock) { n++; errs.push(...validateIPBlock(p.ipBlock, `${path}.ipBlock`)); }
  if (!n) errs.push(required(path, 'must specify a peer'));
  else if (n > 1 && p.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  const spec: NetworkPolicySpec = np.spec ?? { podSelector: {} };
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  (spec.ingress ?? []).forEach((r, i) => {
    (r.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`)));
    (r.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`)));
  });
  (spec.egress ?? []).forEach((r, i) => {
    (r.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`)));
    (r.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

export const networkPolicyRules: KindRules = { spec: validateNetworkPolicy };
