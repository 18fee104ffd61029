/** @module Tests for Service, Endpoints and EndpointSlice validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf } from './testing.js';

const svc = (spec: any, name = 'web') => ({ metadata: { name, namespace: 'default' }, spec });

const cases: { name: string; obj: any; want: string[] }[] = [
  { name: 'a service with one port is valid', obj: svc({ selector: { app: 'x' }, ports: [{ port: 80 }] }), want: [] },
  { name: 'a service name must start with a letter', obj: svc({ ports: [{ port: 80 }] }, '1web'),
    want: ['metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'] },
  { name: 'a service without ports is rejected', obj: svc({}), want: ['spec.ports: Required value'] },
  { name: 'a headless service may have no ports', obj: svc({ clusterIP: 'None' }), want: [] },
  { name: 'several ports need names', obj: svc({ ports: [{ port: 80 }, { port: 443 }] }),
    want: ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'] },
  { name: 'port names must be unique', obj: svc({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }),
    want: ['spec.ports[1].name: Duplicate value: "http"'] },
  { name: 'port 0 is out of range', obj: svc({ ports: [{ port: 0, targetPort: 80 }] }),
    want: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'] },
  { name: 'an unknown type lists the supported ones', obj: svc({ type: 'Magic', ports: [{ port: 80 }] }),
    want: ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'] },
  { name: 'a ClusterIP service may not ask for a node port', obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }),
    want: ['spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\''] },
  { name: 'an ExternalName service needs a DNS name', obj: svc({ type: 'ExternalName' }), want: ['spec.externalName: Required value'] },
  { name: 'a ClusterIP service may not set an external traffic policy', obj: svc({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }),
    want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'] },
  { name: 'a named target port must be a valid port name', obj: svc({ ports: [{ port: 80, targetPort: 'Web_Port' }] }),
    want: ['spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(errorsOf('v1', 'Service', c.obj), c.want));

test('an allocated cluster IP may not change on update', () => {
  const old = svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.1' });
  errorsOf('v1', 'Service', old);
  const next = structuredClone(old);
  next.spec.clusterIP = '10.0.0.2';
  next.spec.clusterIPs = ['10.0.0.2'];
  assert.deepEqual(errorsOf('v1', 'Service', next, old), ['spec.clusterIPs[0]: Invalid value: "10.0.0.2": may not change once set']);
});

test('endpoints need addresses and valid IPs', () => {
  const ep = { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.1.0.300' }], ports: [{ port: 80 }] }, { ports: [{ port: 80 }] }] };
  assert.deepEqual(errorsOf('v1', 'Endpoints', ep), [
    'subsets[0].addresses[0].ip: Invalid value: "10.1.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
});

test('an endpoint slice checks addresses against its address type', () => {
  const es = { metadata: { name: 'web-abc', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }], ports: [{ port: 80 }] };
  assert.deepEqual(errorsOf('discovery.k8s.io/v1', 'EndpointSlice', es), ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
});
