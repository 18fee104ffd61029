/**
 * The real kubectl changing objects in `tug server` with default flags: create, apply (client-side
 * three-way strategic merge and server-side with conflicts), edit, patch, label, annotate, scale,
 * delete with each cascade policy, wait and server-side dry run.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse as parseYAML } from 'yaml';
import { fails, ok, startTugServer, type TugServer } from '../support/tug-server.js';

const NS = 'e2e-write';

const deployment = (o: { image: string; extra?: string; containers?: string; labels?: string; minReady?: boolean }) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${NS}
  labels: {${o.labels ?? 'app: app, keep: "yes", drop: "yes"'}}
spec:
  replicas: 2
${o.minReady ? '  minReadySeconds: 5\n' : ''}  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: a
        image: ${o.image}
${o.extra ?? ''}${o.containers ?? ''}`;

describe('kubectl writes against tug server', () => {
  let s: TugServer;
  const k = (...args: string[]) => s.kubectl(args);
  const getJSON = (...args: string[]) => JSON.parse(ok(k('get', ...args, '-o', 'json', '--show-managed-fields')));
  /** The fields of .data a manager owns ("f:k", …). */
  const dataFields = (m: any) => Object.keys(m.fieldsV1?.['f:data'] ?? {}).filter((f) => f !== '.').sort();

  before(async () => {
    s = await startTugServer();
    ok(k('create', 'namespace', NS));
  });
  after(async () => { await s?.cleanup(); });

  test('create -f, create namespace, create configmap --from-literal, create deployment --image', () => {
    const file = s.writeFile('cm.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\n  namespace: ${NS}\ndata:\n  key: value\n`);
    assert.equal(ok(k('create', '-f', file)), 'configmap/from-file created\n');
    assert.equal(getJSON('cm', 'from-file', '-n', NS).data.key, 'value');
    assert.equal(fails(k('create', '-f', file)).trim(), `Error from server (AlreadyExists): error when creating "${file}": configmaps "from-file" already exists`);

    assert.equal(ok(k('create', 'namespace', 'e2e-created')), 'namespace/e2e-created created\n');
    assert.equal(getJSON('ns', 'e2e-created').status.phase, 'Active');
    const pc = s.writeFile('pc.yaml', 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000\n');
    assert.equal(ok(k('create', '-f', pc)), 'priorityclass.scheduling.k8s.io/high created\n');

    assert.equal(ok(k('create', 'configmap', 'lit', '-n', NS, '--from-literal=a=1', '--from-literal=b=two')), 'configmap/lit created\n');
    assert.deepEqual(getJSON('cm', 'lit', '-n', NS).data, { a: '1', b: 'two' });
    assert.equal(fails(k('create', 'configmap', 'lit', '-n', NS, '--from-literal=a=1')).trim(),
      'error: failed to create configmap: configmaps "lit" already exists');

    assert.equal(ok(k('create', 'deployment', 'dep', '-n', NS, '--image=local/busybox:1', '--replicas=2')), 'deployment.apps/dep created\n');
    const d = getJSON('deploy', 'dep', '-n', NS);
    assert.deepEqual(d.metadata.labels, { app: 'dep' });
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'dep' } });
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].name, 'busybox');
    assert.equal(d.spec.template.spec.containers[0].image, 'local/busybox:1');
    const mf = d.metadata.managedFields.filter((m: any) => !m.subresource).map((m: any) => [m.manager, m.operation]);
    assert.ok(mf.some(([m, op]: string[]) => m === 'kubectl-create' && op === 'Update'), JSON.stringify(mf));
  });

  test('apply: create, then a changed file is a three-way strategic merge', () => {
    const v1 = s.writeFile('app-v1.yaml', deployment({ image: 'local/busybox:1', minReady: true,
      extra: '        env:\n        - {name: A, value: "1"}\n        - {name: B, value: "2"}\n',
      containers: '      - name: b\n        image: local/busybox:1\n' }));
    assert.equal(ok(k('apply', '-f', v1)), 'deployment.apps/app created\n');
    assert.equal(ok(k('apply', '-f', v1)), 'deployment.apps/app unchanged\n');
    const created = getJSON('deploy', 'app', '-n', NS);
    const last = JSON.parse(created.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.spec.minReadySeconds, 5);

    // Someone else adds a sidecar and a label; apply must keep both (they are not in last-applied).
    ok(k('patch', 'deploy', 'app', '-n', NS, '-p', JSON.stringify({
      metadata: { labels: { other: 'x' } },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'local/busybox:1' }] } } } })));

    const v2 = s.writeFile('app-v2.yaml', deployment({ image: 'local/busybox:2', labels: 'app: app, keep: "yes"',
      extra: '        env:\n        - {name: B, value: "3"}\n',
      containers: '      - name: c\n        image: local/busybox:3\n' }));
    assert.equal(ok(k('apply', '-f', v2)), 'deployment.apps/app configured\n');
    const d = getJSON('deploy', 'app', '-n', NS);
    assert.deepEqual(d.metadata.labels, { app: 'app', keep: 'yes', other: 'x' }, 'label "drop" removed, "other" kept');
    assert.equal(d.spec.minReadySeconds, undefined, 'minReadySeconds removed from the file is removed');
    const containers = Object.fromEntries(d.spec.template.spec.containers.map((c: any) => [c.name, c]));
    assert.deepEqual(Object.keys(containers).sort(), ['a', 'c', 'sidecar'], 'b removed, c added, sidecar kept');
    assert.equal(containers.a.image, 'local/busybox:2');
    assert.deepEqual(containers.a.env, [{ name: 'B', value: '3' }], 'env merged by name: A removed, B changed');
    assert.equal(containers.a.imagePullPolicy, 'IfNotPresent');
    assert.equal(d.metadata.generation, 3);

    // A cluster-scoped object.
    const ns = (labels: string) => s.writeFile('ns.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-applied\n  labels: {${labels}}\n`);
    assert.equal(ok(k('apply', '-f', ns('a: "1", b: "2"'))), 'namespace/e2e-applied created\n');
    assert.equal(ok(k('apply', '-f', ns('a: "1"'))), 'namespace/e2e-applied configured\n');
    assert.deepEqual(getJSON('ns', 'e2e-applied').metadata.labels, { a: '1', 'kubernetes.io/metadata.name': 'e2e-applied' });
  });

  test('apply --server-side: field ownership, conflicts and --force-conflicts', () => {
    const cm = (data: string) => s.writeFile('ssa.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: ${NS}\ndata: {${data}}\n`);
    assert.equal(ok(k('apply', '--server-side', '-f', cm('k: one, j: two'))), 'configmap/ssa serverside-applied\n');
    let live = getJSON('cm', 'ssa', '-n', NS);
    assert.deepEqual(live.metadata.managedFields.map((m: any) => [m.manager, m.operation, m.fieldsType]), [['kubectl', 'Apply', 'FieldsV1']]);
    assert.deepEqual(dataFields(live.metadata.managedFields[0]), ['f:j', 'f:k']);

    // Applying without a field the applier owned removes it.
    assert.equal(ok(k('apply', '--server-side', '-f', cm('k: one'))), 'configmap/ssa serverside-applied\n');
    assert.deepEqual(getJSON('cm', 'ssa', '-n', NS).data, { k: 'one' });

    // Another manager takes data.k; applying a different value conflicts.
    ok(k('patch', 'cm', 'ssa', '-n', NS, '--type=merge', '-p', '{"data":{"k":"patched"}}'));
    const conflict = fails(k('apply', '--server-side', '-f', cm('k: mine')));
    assert.match(conflict, /^error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1( at \S+)?: \.data\.k\nPlease review the fields above--they currently have other managers\./);
    assert.equal(getJSON('cm', 'ssa', '-n', NS).data.k, 'patched');

    // Another applier owning a different field is no conflict; --force-conflicts takes data.k over.
    ok(k('apply', '--server-side', '--field-manager=other', '-f', s.writeFile('ssa2.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: ${NS}\ndata: {z: other}\n`)));
    assert.equal(ok(k('apply', '--server-side', '--force-conflicts', '-f', cm('k: mine'))), 'configmap/ssa serverside-applied\n');
    live = getJSON('cm', 'ssa', '-n', NS);
    assert.deepEqual(live.data, { k: 'mine', z: 'other' });
    const owners = Object.fromEntries(live.metadata.managedFields.map((m: any) => [m.manager, dataFields(m)]));
    assert.deepEqual(owners.kubectl, ['f:k']);
    assert.deepEqual(owners.other, ['f:z']);
    assert.ok(!owners['kubectl-patch'] || !owners['kubectl-patch'].includes('f:k'), JSON.stringify(owners));

    // Server-side apply on a cluster-scoped kind.
    const node = s.writeFile('node.yaml', 'apiVersion: v1\nkind: Node\nmetadata:\n  name: ssa-node\n  labels: {zone: a}\n');
    assert.equal(ok(k('apply', '--server-side', '-f', node)), 'node/ssa-node serverside-applied\n');
    assert.equal(getJSON('node', 'ssa-node').metadata.labels.zone, 'a');
  });

  test('edit with $EDITOR', () => {
    const editor = s.writeFile('editor.sh', '#!/bin/sh\nsed -i -e "s/^  replicas: 2$/  replicas: 4/" -e "s/^    app: dep$/    app: dep\\n    edited: \\"yes\\"/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = s.kubectl(['edit', 'deployment', 'dep', '-n', NS], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(ok(r), 'deployment.apps/dep edited\n');
    const d = getJSON('deploy', 'dep', '-n', NS);
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.metadata.labels.edited, 'yes');

    const noop = s.writeFile('noop.sh', '#!/bin/sh\ntrue\n');
    chmodSync(noop, 0o755);
    const n = s.kubectl(['edit', 'ns', NS], { env: { EDITOR: noop, KUBE_EDITOR: noop } });
    assert.equal(n.code, 0);
    assert.equal(n.stderr.trim(), 'Edit cancelled, no changes made.');
  });

  test('patch: strategic (default), merge and json', () => {
    const patch = (...args: string[]) => ok(k('patch', 'deploy', 'dep', '-n', NS, ...args));
    assert.equal(patch('-p', '{"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"local/busybox:9"}]}}}}'), 'deployment.apps/dep patched\n');
    let d = getJSON('deploy', 'dep', '-n', NS);
    assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name).sort(), ['busybox', 'extra'], 'strategic merge adds by name');
    assert.equal(patch('-p', '{"spec":{"template":{"spec":{"containers":[{"name":"extra","$patch":"delete"}]}}}}'), 'deployment.apps/dep patched\n');
    assert.deepEqual(getJSON('deploy', 'dep', '-n', NS).spec.template.spec.containers.map((c: any) => c.name), ['busybox']);

    assert.equal(patch('--type=merge', '-p', '{"metadata":{"labels":{"edited":null,"m":"1"}}}'), 'deployment.apps/dep patched\n');
    d = getJSON('deploy', 'dep', '-n', NS);
    assert.deepEqual(d.metadata.labels, { app: 'dep', m: '1' });
    assert.equal(patch('--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}'), 'deployment.apps/dep patched (no change)\n');

    assert.equal(patch('--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/annotations","value":{"j":"1"}}]'),
      'deployment.apps/dep patched\n');
    d = getJSON('deploy', 'dep', '-n', NS);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.metadata.annotations.j, '1');
    const bad = fails(k('patch', 'deploy', 'dep', '-n', NS, '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]'));
    assert.match(bad, /^The request is invalid: /);

    // Cluster-scoped, and the status subresource.
    ok(k('create', '-f', s.writeFile('n1.yaml', 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n')));
    assert.equal(ok(k('patch', 'node', 'n1', '--type=merge', '-p', '{"spec":{"unschedulable":true}}')), 'node/n1 patched\n');
    assert.equal(getJSON('node', 'n1').spec.unschedulable, true);
    assert.equal(ok(k('patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', '{"status":{"capacity":{"cpu":"2"}}}')), 'node/n1 patched\n');
    assert.equal(getJSON('node', 'n1').status.capacity.cpu, '2');
  });

  test('label and annotate, with --overwrite and removal', () => {
    assert.equal(ok(k('label', 'cm', 'lit', '-n', NS, 'color=red')), 'configmap/lit labeled\n');
    assert.equal(fails(k('label', 'cm', 'lit', '-n', NS, 'color=blue')).trim(), "error: 'color' already has a value (red), and --overwrite is false");
    assert.equal(ok(k('label', 'cm', 'lit', '-n', NS, 'color=blue', '--overwrite')), 'configmap/lit labeled\n');
    assert.equal(getJSON('cm', 'lit', '-n', NS).metadata.labels.color, 'blue');
    assert.equal(ok(k('label', 'cm', 'lit', '-n', NS, 'color-')), 'configmap/lit unlabeled\n');
    assert.equal(getJSON('cm', 'lit', '-n', NS).metadata.labels, undefined);
    assert.equal(ok(k('label', 'node', 'n1', 'zone=b')), 'node/n1 labeled\n');
    assert.equal(getJSON('node', 'n1').metadata.labels.zone, 'b');
    assert.equal(ok(k('label', 'cm', '-n', NS, '--all', 'bulk=1')).split('\n').filter(Boolean).length,
      getJSON('cm', '-n', NS).items.length);

    assert.equal(ok(k('annotate', 'ns', NS, 'owner=me')), `namespace/${NS} annotated\n`);
    assert.equal(fails(k('annotate', 'ns', NS, 'owner=you')).trim(),
      "error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (me)");
    assert.equal(ok(k('annotate', 'ns', NS, 'owner=you', '--overwrite')), `namespace/${NS} annotated\n`);
    assert.equal(getJSON('ns', NS).metadata.annotations.owner, 'you');
    assert.equal(ok(k('annotate', 'ns', NS, 'owner-')), `namespace/${NS} annotated\n`);
    assert.equal(getJSON('ns', NS).metadata.annotations?.owner, undefined);
  });

  test('scale through the scale subresource', () => {
    const r = s.kubectl(['scale', 'deployment', 'dep', '-n', NS, '--replicas=5', '-v=6']);
    assert.equal(ok(r), 'deployment.apps/dep scaled\n');
    assert.match(r.stderr, /PATCH https:\/\/\S+\/apis\/apps\/v1\/namespaces\/e2e-write\/deployments\/dep\/scale 200 OK/);
    assert.equal(getJSON('deploy', 'dep', '-n', NS).spec.replicas, 5);
    const scale = JSON.parse(ok(k('get', '--raw', `/apis/apps/v1/namespaces/${NS}/deployments/dep/scale`)));
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec.replicas, 5);
    assert.equal(scale.status.selector, 'app=dep');
    assert.equal(fails(k('scale', 'deployment', 'dep', '-n', NS, '--replicas=1', '--current-replicas=3')).trim(),
      'error: Expected replicas to be 3, was 5');
    assert.equal(ok(k('scale', 'deployment', 'dep', '-n', NS, '--replicas=1', '--current-replicas=5')), 'deployment.apps/dep scaled\n');
    assert.match(fails(k('scale', 'cm', 'lit', '-n', NS, '--replicas=1')), /configmaps "lit" not found|could not find the requested resource/);
  });

  test('wait --for=condition after a status patch, and --for=delete', async () => {
    ok(k('run', 'waiter', '-n', NS, '--image=local/busybox:1', '--restart=Never'));
    const waiting = s.kubectlAsync(['wait', '--for=condition=Ready', 'pod/waiter', '-n', NS, '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    ok(k('patch', 'pod', 'waiter', '-n', NS, '--subresource=status', '--type=merge',
      '-p', '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}'));
    const w = await waiting;
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, 'pod/waiter condition met\n');

    ok(k('create', '-f', s.writeFile('n2.yaml', 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n2\n')));
    const nodeTimeout = k('wait', '--for=condition=Ready', 'node/n2', '--timeout=1s');
    assert.equal(nodeTimeout.code, 1);
    assert.equal(nodeTimeout.stderr.trim(), 'error: timed out waiting for the condition on nodes/n2');
    ok(k('patch', 'node', 'n2', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}}'));
    assert.equal(ok(k('wait', '--for=condition=Ready=False', 'node/n2', '--timeout=5s')), 'node/n2 condition met\n');
    assert.equal(ok(k('wait', '--for=jsonpath={.status.phase}=Running', 'pod/waiter', '-n', NS, '--timeout=5s')), 'pod/waiter condition met\n');

    const gone = s.kubectlAsync(['wait', '--for=delete', 'pod/waiter', '-n', NS, '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    ok(k('delete', 'pod', 'waiter', '-n', NS, '--wait=false'));
    const g = await gone;
    assert.equal(g.code, 0, g.stderr);
    assert.equal(g.stdout, 'pod/waiter condition met\n');
  });

  test('--dry-run=server validates and defaults but stores nothing', () => {
    const out = ok(k('create', 'deployment', 'dry', '-n', NS, '--image=local/busybox:1', '--dry-run=server', '-o', 'yaml'));
    const d = parseYAML(out);
    assert.equal(d.spec.strategy.type, 'RollingUpdate', 'defaults applied');
    assert.equal(d.spec.template.spec.containers[0].terminationMessagePolicy, 'File');
    assert.equal(fails(k('get', 'deploy', 'dry', '-n', NS)).trim(), 'Error from server (NotFound): deployments.apps "dry" not found');
    assert.equal(ok(k('create', 'cm', 'dry', '-n', NS, '--from-literal=a=1', '--dry-run=server')), 'configmap/dry created (server dry run)\n');
    assert.equal(fails(k('get', 'cm', 'dry', '-n', NS)).trim(), 'Error from server (NotFound): configmaps "dry" not found');

    const before = getJSON('deploy', 'app', '-n', NS);
    const v3 = s.writeFile('app-v3.yaml', deployment({ image: 'local/busybox:3', labels: 'app: app, keep: "yes"' }));
    assert.equal(ok(k('apply', '-f', v3, '--dry-run=server')), 'deployment.apps/app configured (server dry run)\n');
    assert.equal(ok(k('apply', '--server-side', '--force-conflicts', '-f', v3, '--dry-run=server')), 'deployment.apps/app serverside-applied (server dry run)\n');
    const afterDry = getJSON('deploy', 'app', '-n', NS);
    assert.equal(afterDry.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(afterDry.spec.template.spec.containers.find((c: any) => c.name === 'a').image, 'local/busybox:2');

    assert.equal(ok(k('delete', 'cm', 'lit', '-n', NS, '--dry-run=server')), 'configmap "lit" deleted (server dry run)\n');
    ok(k('get', 'cm', 'lit', '-n', NS));
    assert.equal(ok(k('delete', 'ns', 'e2e-created', '--dry-run=server')), 'namespace "e2e-created" deleted (server dry run)\n');
    assert.equal(getJSON('ns', 'e2e-created').status.phase, 'Active');
    // Invalid objects fail a dry run as they would fail a real create.
    assert.match(fails(k('create', 'cm', 'Bad_Name', '-n', NS, '--from-literal=a=1', '--dry-run=server')), /metadata\.name: Invalid value: "Bad_Name"/);
  });

  test('delete with --cascade=background, orphan and foreground', async () => {
    const mk = (name: string) => ok(k('create', 'deployment', name, '-n', NS, '--image=local/busybox:1'));
    mk('bg');
    const bg = s.kubectl(['delete', 'deployment', 'bg', '-n', NS, '--cascade=background', '-v=8']);
    assert.equal(ok(bg), 'deployment.apps "bg" deleted\n');
    assert.match(bg.stderr, /"Request Body" body=<\s*\{"propagationPolicy":"Background"\}/);
    assert.equal(fails(k('get', 'deploy', 'bg', '-n', NS)).trim(), 'Error from server (NotFound): deployments.apps "bg" not found');

    // Orphan and foreground go through the garbage collector: kubectl waits until it is done.
    // Zero replicas, so no pods (which would wait for a node agent) are involved.
    const rsOf = (name: string) => getJSON('rs', '-n', NS, '-l', `app=${name}`).items;
    for (const cascade of ['orphan', 'foreground']) {
      const name = `del-${cascade}`;
      ok(k('create', 'deployment', name, '-n', NS, '--image=local/busybox:1', '--replicas=0'));
      ok(k('wait', '--for=jsonpath={.status.observedGeneration}=1', `deploy/${name}`, '-n', NS, '--timeout=20s'));
      assert.equal(rsOf(name).length, 1, 'the deployment controller made a ReplicaSet');
      const r = s.kubectl(['delete', 'deployment', name, '-n', NS, `--cascade=${cascade}`, '--timeout=20s']);
      assert.equal(ok(r), `deployment.apps "${name}" deleted\n`);
      assert.equal(fails(k('get', 'deploy', name, '-n', NS)).trim(), `Error from server (NotFound): deployments.apps "${name}" not found`);
      const left = rsOf(name);
      if (cascade === 'orphan') {
        assert.equal(left.length, 1, 'orphan keeps the ReplicaSet');
        assert.equal(left[0].metadata.ownerReferences, undefined, 'and removes its ownerReference');
        ok(k('delete', 'rs', left[0].metadata.name, '-n', NS));
      } else {
        assert.equal(left.length, 0, 'foreground deleted the ReplicaSet first');
      }
    }

    // Deleting objects by label and a cluster-scoped one; a missing one is NotFound, --ignore-not-found is quiet.
    assert.equal(ok(k('delete', 'cm', '-n', NS, '-l', 'bulk=1')).split('\n').filter(Boolean).length > 1, true);
    assert.equal(ok(k('delete', 'node', 'n1')), 'node "n1" deleted\n');
    assert.equal(fails(k('delete', 'node', 'n1')).trim(), 'Error from server (NotFound): nodes "n1" not found');
    assert.equal(k('delete', 'node', 'n1', '--ignore-not-found').code, 0);
    assert.equal(ok(k('delete', 'priorityclass', 'high')), 'priorityclass.scheduling.k8s.io "high" deleted\n');
  });
});
