/**
 * @module e2e: `tug server` running the endpoint, endpointslice and disruption controllers, hollow
 * nodes (in this process, over HTTPS) running the pods, and the real kubectl reading the results.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RestClient } from '../../src/client/rest-client.js';
import { startHollowNodes, type HollowNodes } from '../../src/kubelet/hollow/hollow-nodes.js';
import { fails, ok, startTugServer, table, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

let server: TugServer;
let client: RestClient;
let hollow: HollowNodes;

before(async () => {
  server = await startTugServer({ extraArgs: ['--controllers', 'endpoint,endpointslice,disruption', '--disable-scheduler'] });
  client = await RestClient.fromKubeconfig(server.kubeconfig, 'e2e-hollow/1.0');
  hollow = await startHollowNodes({ client, count: 2, prefix: 'ep-', renewIntervalMs: 1000, labels: { 'topology.kubernetes.io/zone': 'zone-a' } });
});
after(async () => {
  await hollow?.stop();
  client?.close();
  await server?.cleanup();
});

const pod = (name: string, node: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: web}
${extra}spec:
  nodeName: ${node}
  containers:
  - name: c
    image: busybox
    ports: [{name: http, containerPort: 8080}]
`;

test('kubectl shows the EndpointSlice, the Endpoints and the PDB allowed disruptions that the controllers keep', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: web, port: 80, targetPort: http}]
---
${pod('web-a', 'ep-0')}---
${pod('web-b', 'ep-1')}---
${pod('web-c', 'ep-1', '  annotations: {hollow.tugboat.dev/never-ready: "true"}\n')}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
` }));

  const slices = await waitFor(() => {
    const rows = table(ok(server.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])));
    return rows.length === 2 && rows[1][3].split(',').length === 3 ? rows : undefined;
  }, 'an EndpointSlice with three addresses', 20_000);
  assert.deepEqual(slices[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  assert.match(slices[1][0], /^web-[a-z0-9]{5}$/);
  assert.deepEqual(slices[1].slice(1, 3), ['IPv4', '8080']);

  const es = JSON.parse(ok(server.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']))).items[0];
  const byPod = Object.fromEntries(es.endpoints.map((e: any) => [e.targetRef.name, [e.conditions.ready, e.nodeName, e.zone]]));
  assert.deepEqual(byPod, { 'web-a': [true, 'ep-0', 'zone-a'], 'web-b': [true, 'ep-1', 'zone-a'], 'web-c': [false, 'ep-1', 'zone-a'] });

  const ep = await waitFor(() => {
    const rows = table(ok(server.kubectl(['get', 'endpoints', 'web'])));
    return rows[1]?.[1].split(',').length === 2 ? rows : undefined;
  }, 'Endpoints with the two ready addresses', 20_000);
  assert.deepEqual(ep[0], ['NAME', 'ENDPOINTS', 'AGE']);
  assert.match(ep[1][1], /^\d+\.\d+\.\d+\.\d+:8080,\d+\.\d+\.\d+\.\d+:8080$/);
  const notReady = JSON.parse(ok(server.kubectl(['get', 'endpoints', 'web', '-o', 'json']))).subsets[0].notReadyAddresses;
  assert.deepEqual(notReady.map((a: any) => a.targetRef.name), ['web-c']);

  // Two healthy, one needed: one disruption allowed; an eviction takes it, the next one is refused with 429.
  await waitFor(() => table(ok(server.kubectl(['get', 'pdb', 'web'])))[1]?.[3] === '1', 'ALLOWED DISRUPTIONS 1', 20_000);
  assert.deepEqual(table(ok(server.kubectl(['get', 'pdb', 'web'])))[0], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
  const eviction = (name: string) => JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
  ok(server.kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/web-a/eviction', '-f', '-'], { input: eviction('web-a') }));
  assert.match(fails(server.kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/web-b/eviction', '-f', '-'], { input: eviction('web-b') })),
    /Too many requests|Cannot evict pod as it would violate the pod's disruption budget/i);
  await waitFor(() => table(ok(server.kubectl(['get', 'pdb', 'web'])))[1]?.[3] === '0', 'ALLOWED DISRUPTIONS 0');

  // The evicted pod leaves the slice and the Endpoints.
  await waitFor(() => {
    const items = JSON.parse(ok(server.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']))).items;
    const names = items.flatMap((s: any) => (s.endpoints ?? []).map((e: any) => e.targetRef.name)).sort();
    return JSON.stringify(names) === '["web-b","web-c"]';
  }, 'web-a gone from the slice', 20_000);
  await waitFor(() => table(ok(server.kubectl(['get', 'endpoints', 'web'])))[1]?.[1].split(',').length === 1, 'one ready address left', 20_000);
});
