/**
 * @module networking.k8s.io/v1 Ingress and IngressClass rules: rules and hosts, path types and paths,
 * backends, TLS, and the class controller name.
 */
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass, IngressRule } from 'kubernetes-types/networking/v1.js';
import { isIP } from 'node:net';
import { immutable, invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import {
  isDNS1123Subdomain, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain, nameIsDNS1035Label, nameIsDNSSubdomain, regexError,
} from '../../apimachinery/validation/names.js';
import type { KindRules } from './types.js';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

function validateBackend(b: IngressBackend, path: string): FieldError[] {
  if (b.resource && b.service) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource) {
    const errs: FieldError[] = [];
    if (!b.resource.kind) errs.push(required(`${path}.resource.kind`));
    if (!b.resource.name) errs.push(required(`${path}.resource.name`));
    return errs;
  }
  if (!b.service) return [invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = b.service.name;
  if (!name) errs.push(required(`${path}.service.name`));
  else errs.push(...invalidEach(`${path}.service.name`, name, nameIsDNS1035Label(name, false)));
  const port = b.service.port ?? {};
  if (port.name && port.number) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (port.name) errs.push(...invalidEach(`${path}.service.port.name`, port.name, isValidPortName(port.name)));
  else if (port.number) errs.push(...invalidEach(`${path}.service.port.number`, port.number, isValidPortNum(port.number)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined) return [required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact': case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      for (const seq of invalidPathSequences) if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suf of invalidPathSuffixes) if (value.endsWith(suf)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suf}'`));
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${path}.pathType`, p.pathType, pathTypes));
  }
  return [...errs, ...validateBackend(p.backend, `${path}.backend`)];
}

function validateHost(host: string, path: string): FieldError[] {
  const errs = isIP(host) ? [invalid(path, host, 'must be a DNS name, not an IP address')] : [];
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return [...errs, ...invalidEach(path, host, msgs)];
}

function validateRules(rules: IngressRule[]): FieldError[] {
  return rules.flatMap((r, i) => {
    const at = `spec.rules[${i}]`;
    const errs = r.host ? validateHost(r.host, `${at}.host`) : [];
    if (r.http) {
      if (!r.http.paths?.length) errs.push(required(`${at}.http.paths`));
      (r.http.paths ?? []).forEach((p, j) => errs.push(...validatePath(p, `${at}.http.paths[${j}]`)));
    }
    return errs;
  });
}

function validateIngress(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.rules?.length && !spec.defaultBackend) errs.push(invalid('spec', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  errs.push(...validateRules(spec.rules ?? []));
  (spec.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => {
      const msgs = h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      errs.push(...invalidEach(`spec.tls[${i}].hosts[${j}]`, h, msgs));
    });
    if (t.secretName) errs.push(...invalidEach(`spec.tls[${i}].secretName`, t.secretName, nameIsDNSSubdomain(t.secretName, false)));
  });
  if (spec.ingressClassName !== undefined) {
    errs.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, nameIsDNSSubdomain(spec.ingressClassName, false)));
  }
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** The controller is a domain-prefixed path such as "example.com/ingress-controller". */
function validateIngressClass(ic: IngressClass): FieldError[] {
  const c = ic.spec?.controller ?? '';
  const path = 'spec.controller';
  if (!c) return [required(path)];
  if (c.length > 250) return [{ type: 'FieldValueTooLong', field: path, detail: 'may not be more than 250 bytes' }];
  const slash = c.indexOf('/');
  if (slash <= 0 || slash === c.length - 1) return [invalid(path, c, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = c.slice(0, slash), rest = c.slice(slash + 1);
  const errs = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!new RegExp(`^${httpPathFmt}$`).test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

export const ingressRules: KindRules = { spec: validateIngress };
export const ingressClassRules: KindRules = {
  spec: validateIngressClass,
  update: (ic: IngressClass, old: IngressClass) => immutable('spec.controller', ic.spec?.controller, old.spec?.controller),
};
