/** @module core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice rules: addresses, ports, address type. */
import type { EndpointAddress, EndpointPort, Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIP } from 'node:net';
import { duplicate, immutable, invalid, invalidEach, notSupported, required, tooMany, type FieldError } from '../../apimachinery/validation/field.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortNum, nameIsDNSSubdomain } from '../../apimachinery/validation/names.js';
import { validateProtocol } from './container.js';
import type { KindRules } from './types.js';

function validateAddress(a: EndpointAddress, path: string): FieldError[] {
  const errs = invalidEach(`${path}.ip`, a.ip, isValidIP(a.ip ?? ''));
  if (a.hostname) errs.push(...invalidEach(`${path}.hostname`, a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName) errs.push(...invalidEach(`${path}.nodeName`, a.nodeName, nameIsDNSSubdomain(a.nodeName, false)));
  return errs;
}

function validatePort(p: EndpointPort, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(`${path}.name`));
  else if (p.name) errs.push(...invalidEach(`${path}.name`, p.name, isDNS1123Label(p.name)));
  errs.push(...invalidEach(`${path}.port`, p.port, isValidPortNum(p.port)));
  return [...errs, ...validateProtocol(p.protocol, `${path}.protocol`)];
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  return (ep.subsets ?? []).flatMap((ss, i) => {
    const at = `subsets[${i}]`;
    const errs: FieldError[] = [];
    // Headless services may have endpoints without ports, never without addresses.
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(at, 'must specify `addresses` or `notReadyAddresses`'));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${at}.addresses[${j}]`)));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${at}.notReadyAddresses[${j}]`)));
    (ss.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, (ss.ports ?? []).length > 1, `${at}.ports[${j}]`)));
    return errs;
  });
}

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

function validateSliceAddress(addr: string, type: string, path: string): FieldError[] {
  if (type === 'IPv4') return isIP(addr) === 4 ? [] : [invalid(path, addr, 'must be a valid IPv4 address')];
  if (type === 'IPv6') return isIP(addr) === 6 ? [] : [invalid(path, addr, 'must be a valid IPv6 address')];
  if (type === 'FQDN') return invalidEach(path, addr, isDNS1123Subdomain(addr));
  return [];
}

function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const type = es.addressType;
  if (!type) errs.push(required('addressType'));
  else if (!addressTypes.includes(type)) errs.push(notSupported('addressType', type, addressTypes));
  const endpoints = es.endpoints ?? [];
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  endpoints.forEach((e, i) => {
    const at = `endpoints[${i}]`;
    if (!e.addresses?.length) errs.push(required(`${at}.addresses`, 'must contain at least 1 address'));
    else if (e.addresses.length > 100) errs.push(tooMany(`${at}.addresses`, e.addresses.length, 100));
    (e.addresses ?? []).forEach((a, j) => errs.push(...validateSliceAddress(a, type, `${at}.addresses[${j}]`)));
    if (e.nodeName) errs.push(...invalidEach(`${at}.nodeName`, e.nodeName, nameIsDNSSubdomain(e.nodeName, false)));
    if (e.hostname) errs.push(...invalidEach(`${at}.hostname`, e.hostname, isDNS1123Label(e.hostname)));
  });
  const names = new Set<string>();
  (es.ports ?? []).forEach((p, i) => {
    const at = `ports[${i}]`;
    const name = p.name ?? '';
    if (name) errs.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    names.add(name);
    errs.push(...validateProtocol(p.protocol, `${at}.protocol`));
    if (p.appProtocol !== undefined) errs.push(...invalidEach(`${at}.appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
  });
  return errs;
}

export const endpointsRules: KindRules = { spec: validateEndpoints };
export const endpointSliceRules: KindRules = {
  spec: validateEndpointSlice,
  update: (es: EndpointSlice, old: EndpointSlice) => immutable('addressType', es.addressType, old.addressType),
};
