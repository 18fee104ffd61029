/** @module Tests for Ingress, IngressClass and NetworkPolicy validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf } from './testing.js';

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (path: any) => ({ metadata: { name: 'web', namespace: 'default' }, spec: { rules: [{ host: 'example.com', http: { paths: [path] } }] } });
const at = 'spec.rules[0].http.paths[0]';

const cases: { name: string; obj: any; want: string[] }[] = [
  { name: 'a prefix path to a service port is valid', obj: ingress({ path: '/', pathType: 'Prefix', backend }), want: [] },
  { name: 'a path without a pathType is rejected', obj: ingress({ path: '/', backend }), want: [`${at}.pathType: Required value: pathType must be specified`] },
  { name: 'a Prefix path must be absolute', obj: ingress({ path: 'api', pathType: 'Prefix', backend }), want: [`${at}.path: Invalid value: "api": must be an absolute path`] },
  { name: 'an unknown pathType lists the supported ones', obj: ingress({ path: '/', pathType: 'Regex', backend }),
    want: [`${at}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`] },
  { name: 'a backend needs a port', obj: ingress({ path: '/', pathType: 'Exact', backend: { service: { name: 'web' } } }),
    want: [`${at}.backend: Required value: port name or number is required`] },
  { name: 'a backend service name must be a DNS-1035 label', obj: ingress({ path: '/', pathType: 'Exact', backend: { service: { name: 'Web', port: { name: 'http' } } } }),
    want: [`${at}.backend.service.name: Invalid value: "Web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`] },
  { name: 'an ingress with neither rules nor a default backend is rejected', obj: { metadata: { name: 'web', namespace: 'default' }, spec: {} },
    want: ['spec: Invalid value: []: either `defaultBackend` or `rules` must be specified'] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(errorsOf('networking.k8s.io/v1', 'Ingress', c.obj), c.want));

test('an ingress host may not be an IP address', () => {
  const ing = ingress({ path: '/', pathType: 'Prefix', backend });
  ing.spec.rules[0].host = '10.0.0.1';
  assert.deepEqual(errorsOf('networking.k8s.io/v1', 'Ingress', ing), ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']);
});

test('an ingress class controller is a domain-prefixed path', () => {
  assert.deepEqual(errorsOf('networking.k8s.io/v1', 'IngressClass', { metadata: { name: 'tug' }, spec: { controller: 'tugboat' } }),
    ['spec.controller: Invalid value: "tugboat": must be a domain-prefixed path (such as "acme.io/foo")']);
});

test('a network policy except block must lie inside its CIDR', () => {
  const np = { metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.1.0/24'] } }] }] } };
  assert.deepEqual(errorsOf('networking.k8s.io/v1', 'NetworkPolicy', np),
    ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`']);
});

test('a network policy peer may not mix ipBlock with selectors', () => {
  const np = { metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] } };
  assert.deepEqual(errorsOf('networking.k8s.io/v1', 'NetworkPolicy', np), ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer']);
});
