/** @module Tests for the Table document and the columns and cells of common kinds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../scheme.js';
import { tableFor, toTable } from './index.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:55:00Z';
const rt = (group: string, version: string, resource: string) => lookupResource(group, version, resource)!;
const headers = (group: string, version: string, resource: string, priority = 0) =>
  tableFor(rt(group, version, resource)).columnDefinitions.filter((c) => c.priority === priority).map((c) => c.name.toUpperCase());

const columns: { name: string; gvr: [string, string, string]; normal: string[]; wide: string[] }[] = [
  { name: 'pods', gvr: ['', 'v1', 'pods'], normal: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] },
  { name: 'deployments', gvr: ['apps', 'v1', 'deployments'], normal: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'] },
  { name: 'services', gvr: ['', 'v1', 'services'], normal: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], wide: ['SELECTOR'] },
  { name: 'nodes', gvr: ['', 'v1', 'nodes'], normal: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] },
  { name: 'events', gvr: ['', 'v1', 'events'], normal: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], wide: ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME'] },
  { name: 'jobs', gvr: ['batch', 'v1', 'jobs'], normal: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'] },
  { name: 'ingresses', gvr: ['networking.k8s.io', 'v1', 'ingresses'], normal: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], wide: [] },
  { name: 'roles', gvr: ['rbac.authorization.k8s.io', 'v1', 'roles'], normal: ['NAME', 'CREATED AT'], wide: [] },
];
for (const c of columns) {
  test(`${c.name} print upstream's columns`, () => {
    assert.deepEqual(headers(...c.gvr), c.normal);
    assert.deepEqual(headers(...c.gvr, 1), c.wide);
  });
}

const rows: { name: string; gvr: [string, string, string]; obj: object; want: unknown[] }[] = [
  { name: 'a deployment row', gvr: ['apps', 'v1', 'deployments'], obj: {
    metadata: { name: 'web', creationTimestamp: created },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } },
  want: ['web', '2/3', 3, 2, '5m', 'nginx', 'nginx:1', 'app=web'] },
  { name: 'a node port service row', gvr: ['', 'v1', 'services'], obj: {
    metadata: { name: 'svc', creationTimestamp: created },
    spec: { type: 'NodePort', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { app: 'web' } } },
  want: ['svc', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP', '5m', 'app=web'] },
  { name: 'a ready control-plane node row', gvr: ['', 'v1', 'nodes'], obj: {
    metadata: { name: 'n1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.6.20' } } },
  want: ['n1', 'Ready,SchedulingDisabled', 'control-plane', '5m', 'v1.32.0', '10.0.0.1', '<none>', 'Debian GNU/Linux 12', '6.1', 'containerd://1.6.20'] },
  { name: 'an event row', gvr: ['', 'v1', 'events'], obj: {
    metadata: { name: 'p.1' }, involvedObject: { kind: 'Pod', name: 'p' }, type: 'Normal', reason: 'Scheduled', message: 'assigned ',
    source: { component: 'default-scheduler' }, firstTimestamp: created, lastTimestamp: '2024-05-01T11:59:30Z' },
  want: ['30s', 'Normal', 'Scheduled', 'pod/p', '', 'default-scheduler', 'assigned', '5m', 1, 'p.1'] },
  { name: 'a job that completed', gvr: ['batch', 'v1', 'jobs'], obj: {
    metadata: { name: 'j', creationTimestamp: created }, spec: { completions: 1, template: { spec: { containers: [] } } },
    status: { succeeded: 1, startTime: created, completionTime: '2024-05-01T11:55:07Z', conditions: [{ type: 'Complete', status: 'True' }] } },
  want: ['j', 'Complete', '1/1', '7s', '5m', '', '', '<none>'] },
  { name: 'a bound claim with a canonical capacity', gvr: ['', 'v1', 'persistentvolumeclaims'], obj: {
    metadata: { name: 'data', creationTimestamp: created }, spec: { volumeName: 'pv1', storageClassName: 'local' },
    status: { phase: 'Bound', capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteOnce'] } },
  want: ['data', 'Bound', 'pv1', '1Gi', 'RWO', 'local', '<unset>', '5m', '<unset>'] },
  { name: 'a role shows its creation time', gvr: ['rbac.authorization.k8s.io', 'v1', 'roles'], obj: {
    metadata: { name: 'r', creationTimestamp: created } }, want: ['r', '2024-05-01T11:55:00Z'] },
];
for (const c of rows) test(c.name, () => assert.deepEqual(tableFor(rt(...c.gvr)).rowCells(c.obj, now), c.want));

test('a custom resource without a printer shows NAME and AGE', () => {
  const t = { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true };
  assert.deepEqual(tableFor(t).columnDefinitions.map((c) => c.name), ['Name', 'Age']);
});

test('rows carry PartialObjectMetadata by default and the whole object when asked', () => {
  const t = rt('', 'v1', 'configmaps');
  const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: created }, data: { a: '1' } };
  const meta = toTable(t, [cm], { includeObject: 'Metadata', now, resourceVersion: '42' });
  assert.equal(meta.kind, 'Table');
  assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(meta.metadata, { resourceVersion: '42' });
  assert.equal(meta.columnDefinitions[0].format, 'name');
  assert.deepEqual(meta.rows, [{ cells: ['c', 1, '5m'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata } }]);
  assert.equal(toTable(t, [cm], { includeObject: 'Object', now }).rows[0].object, cm);
  assert.equal(toTable(t, [cm], { includeObject: 'None', now }).rows[0].object, null);
});

test('events.k8s.io events print with the core columns', () => {
  const t = rt('events.k8s.io', 'v1', 'events');
  const ev = { metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p' }, type: 'Warning', reason: 'BackOff', note: 'restarting',
    reportingController: 'kubelet', eventTime: created };
  assert.deepEqual(toTable(t, [ev], { includeObject: 'None', now }).rows[0].cells, ['5m', 'Warning', 'BackOff', 'pod/p', '', 'kubelet', 'restarting', '5m', 1, 'e']);
});
