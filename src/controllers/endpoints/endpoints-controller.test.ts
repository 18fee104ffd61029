/** @module The Endpoints controller on the in-process cluster: an Endpoints per selecting service, deleted with it. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isNotFound } from '../../apimachinery/errors.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { EndpointsController } from './endpoints-controller.js';

let kit: ControllerTestKit;
let ec: EndpointsController;
const pods = ref('Pod', 'default');
const services = ref('Service', 'default');
const endpoints = ref('Endpoints', 'default');

before(async () => {
  kit = await startControllerTestKit();
  ec = new EndpointsController(kit.ctx);
  ec.setup();
  await kit.start();
});
after(() => kit.close());

async function runningPod(name: string, ip: string, ready: boolean) {
  const p = await kit.admin.create(pods, { metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
  p.status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  return kit.admin.updateStatus(pods, p);
}

test('an Endpoints named as the service lists ready and not-ready addresses with the service labels; it goes with the service', async () => {
  await kit.admin.create(services, { metadata: { name: 'web', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.50', ports: [{ port: 80, targetPort: 8080 }] } });
  const a = await runningPod('a', '10.3.0.1', true);
  await runningPod('b', '10.3.0.2', false);
  await kit.settle();
  await ec.reconcile('default/web');
  const ep = await kit.admin.get(endpoints, 'web');
  assert.deepEqual(ep.metadata.labels, { tier: 'front' });
  assert.ok(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']);
  assert.deepEqual(ep.subsets, [{
    addresses: [{ ip: '10.3.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: a.metadata.uid } }],
    notReadyAddresses: [{ ip: '10.3.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: ep.subsets[0].notReadyAddresses[0].targetRef.uid } }],
    ports: [{ port: 8080, protocol: 'TCP' }],
  }]);

  kit.actions.length = 0;
  await kit.settle();
  await ec.reconcile('default/web');
  assert.deepEqual(kit.actions, [], 'nothing changed: no write');

  await kit.admin.delete(services, 'web');
  await kit.settle();
  await ec.reconcile('default/web');
  await assert.rejects(kit.admin.get(endpoints, 'web'), isNotFound);
});

test('Endpoints of a service without a selector are left alone', async () => {
  await kit.admin.create(services, { metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
  await kit.admin.create(endpoints, { metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] });
  await kit.settle();
  kit.actions.length = 0;
  await ec.reconcile('default/manual');
  assert.deepEqual(kit.actions, []);
});
