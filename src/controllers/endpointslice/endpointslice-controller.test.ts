/** @module The EndpointSlice controller on the in-process cluster: slices from pods' status, updates without churn, services left alone. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { LastChangeTriggerTimeAnnotation } from '../controller-utils/trigger-time.js';
import { EndpointSliceController } from './endpointslice-controller.js';
import { waitFor } from '../../../test/support/wait-for.js';

let kit: ControllerTestKit;
let esc: EndpointSliceController;
const ns = 'default';
const pods = ref('Pod', ns);
const services = ref('Service', ns);
const slices = ref('EndpointSlice', ns);

before(async () => {
  kit = await startControllerTestKit();
  esc = new EndpointSliceController(kit.ctx);
  esc.setup();
  await kit.admin.create(ref('Node'), { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } });
  await kit.start();
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; });

/** A pod on n1, Running with an IP (set through the status subresource, as a kubelet would). */
async function runningPod(name: string, app: string, ip: string, ready = true): Promise<Obj> {
  const p = await kit.admin.create(pods, { metadata: { name, labels: { app } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] } });
  p.status = { phase: 'Running', podIP: ip, podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  return kit.admin.updateStatus(pods, p);
}

const service = (name: string, selector?: Record<string, string>) =>
  kit.admin.create(services, { metadata: { name }, spec: { selector, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
const slicesOf = async (svc: string) => (await kit.admin.list(slices, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;

test('a service gets one slice of its running pods, with resolved named ports and the trigger time', async () => {
  const svc = await service('one', { app: 'one' });
  await runningPod('one-a', 'one', '10.1.0.1');
  await runningPod('one-b', 'one', '10.1.0.2', false);
  await runningPod('other', 'two', '10.1.0.3');
  await kit.settle();
  await esc.reconcile(`${ns}/one`);
  const [slice, ...rest] = await slicesOf('one');
  assert.deepEqual(rest, []);
  assert.match(slice.metadata.name, /^one-[a-z0-9]{5}$/);
  assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata.ownerReferences[0].uid, svc.metadata.uid);
  assert.equal(slice.metadata.annotations[LastChangeTriggerTimeAnnotation], svc.metadata.creationTimestamp);
  assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(slice.endpoints.map((e: Obj) => [e.targetRef.name, e.addresses[0], e.conditions.ready, e.zone]),
    [['one-a', '10.1.0.1', true, 'z1'], ['one-b', '10.1.0.2', false, 'z1']]);

  // A second sync on the same state writes nothing.
  kit.actions.length = 0;
  await kit.settle();
  await esc.reconcile(`${ns}/one`);
  assert.deepEqual(kit.actions, []);
});

test('services without a selector, and ExternalName services, get no slices', async () => {
  await service('manual');
  await kit.admin.create(services, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.invalid', selector: { app: 'one' } } });
  await kit.settle();
  await esc.reconcile(`${ns}/manual`);
  await esc.reconcile(`${ns}/ext`);
  assert.deepEqual(kit.actions, []);
});

test('running, the controller follows pod changes: 120 pods make two slices, readiness and deletion update them in place', async (t) => {
  const ctl = new AbortController();
  t.after(() => ctl.abort());
  void esc.run(ctl.signal);
  await service('many', { app: 'many' });
  for (let i = 0; i < 120; i++) await runningPod(`many-${i}`, 'many', `10.2.${Math.floor(i / 100)}.${i % 100 + 1}`);
  const count = async () => (await slicesOf('many')).map((s) => s.endpoints?.length ?? 0).sort((a, b) => a - b);
  await waitFor(async () => JSON.stringify(await count()) === '[20,100]', 'two slices of 100 and 20', 15_000);
  const names = (await slicesOf('many')).map((s) => s.metadata.name).sort();

  const p = await kit.admin.get(pods, 'many-7');
  p.status.conditions = [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:01:00Z' }];
  await kit.admin.updateStatus(pods, p);
  await waitFor(async () => (await slicesOf('many')).flatMap((s) => s.endpoints).find((e: Obj) => e.targetRef.name === 'many-7')?.conditions.ready === false,
    'many-7 not ready');
  const updated = (await slicesOf('many')).find((s) => s.endpoints.some((e: Obj) => e.targetRef.name === 'many-7'));
  assert.equal(updated!.metadata.annotations[LastChangeTriggerTimeAnnotation], '2026-01-01T00:01:00Z');

  await kit.admin.delete(pods, 'many-8', { gracePeriodSeconds: 0 });
  await waitFor(async () => JSON.stringify(await count()) === '[20,99]' || JSON.stringify(await count()) === '[19,100]', 'many-8 removed');
  assert.deepEqual((await slicesOf('many')).map((s) => s.metadata.name).sort(), names, 'same slices, updated in place');

  // A slice deleted behind the controller's back comes back.
  await kit.admin.delete(slices, names[0]);
  await waitFor(async () => (await count()).reduce((a, b) => a + b, 0) === 119, 'slices restored', 15_000);
});
