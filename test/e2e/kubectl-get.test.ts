/**
 * The real kubectl reading from `tug server` with default flags: tables and every output format,
 * selectors, pagination, watch, `get all`, describe, explain and the discovery commands.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { parse as parseYAML } from 'yaml';
import { cells, fails, ok, startTugServer, table, type TugServer } from '../support/tug-server.js';

const NS = 'e2e-get';

const manifest = `
apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
  labels: {team: blue}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: {app: web, tier: front}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: local/busybox:1
        command: [sleep, infinity]
---
apiVersion: v1
kind: Pod
metadata:
  name: p1
  namespace: ${NS}
  labels: {app: web, tier: back}
spec:
  containers:
  - name: c
    image: local/busybox:1
---
apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: ${NS}
spec:
  clusterIP: None
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels: {kubernetes.io/hostname: node-a, node-role.kubernetes.io/control-plane: ""}
${[1, 2, 3, 4, 5].map((i) => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-${i}
  namespace: ${NS}
  labels: {set: five, parity: ${i % 2 ? 'odd' : 'even'}}
data: {k: v${i}}
`).join('')}`;

const event = (uid: string) => `apiVersion: v1
kind: Event
metadata:
  name: web.1
  namespace: ${NS}
involvedObject:
  apiVersion: apps/v1
  kind: Deployment
  name: web
  namespace: ${NS}
  uid: ${uid}
reason: ScalingReplicaSet
message: Scaled up replica set web-abc to 3
type: Normal
count: 1
firstTimestamp: "2025-01-01T00:00:00Z"
lastTimestamp: "2025-01-01T00:00:00Z"
source: {component: deployment-controller}
`;

const AGE = /^\d+s$/;

describe('kubectl get, describe, explain and discovery against tug server', () => {
  let s: TugServer;
  const k = (...args: string[]) => s.kubectl(args);

  before(async () => {
    s = await startTugServer();
    ok(s.kubectl(['create', '-f', '-'], { input: manifest }));
    // describe finds events by the involved object's uid, as the controllers write them.
    const uid = ok(k('get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.metadata.uid}'));
    ok(s.kubectl(['create', '-f', '-'], { input: event(uid) }));
  });
  after(async () => { await s?.cleanup(); });

  test('default tables print the columns Kubernetes prints', () => {
    const pods = table(ok(k('get', 'pods', '-n', NS)));
    assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(pods[1].slice(0, 4), ['p1', '0/1', 'Pending', '0']);
    assert.match(pods[1][4], AGE);

    const deploy = table(ok(k('get', 'deployments', '-n', NS)));
    assert.deepEqual(deploy[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    // The deployment controller may already have made the pods (UP-TO-DATE); none can be available without a node agent.
    assert.deepEqual([deploy[1][0], deploy[1][1], deploy[1][3]], ['web', '0/3', '0']);
    assert.match(deploy[1][2], /^[03]$/);

    const svc = table(ok(k('get', 'svc', '-n', NS)));
    assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(svc[1].slice(0, 5), ['svc', 'ClusterIP', 'None', '<none>', '80/TCP']);

    const ns = table(ok(k('get', 'namespaces')));
    assert.deepEqual(ns[0], ['NAME', 'STATUS', 'AGE']);
    const names = ns.slice(1).map((r) => r[0]);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease', NS]) assert.ok(names.includes(n), `${n} in ${names}`);
    assert.deepEqual(ns.find((r) => r[0] === NS)!.slice(0, 2), [NS, 'Active']);

    const nodes = table(ok(k('get', 'nodes')));
    assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    assert.deepEqual(nodes[1].slice(0, 3), ['node-a', 'Unknown', 'control-plane']);

    const events = table(ok(k('get', 'events', '-n', NS)));
    assert.deepEqual(events[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    // The controllers write events of their own; ours is among them.
    assert.ok(events.slice(1).some((r) => JSON.stringify(r.slice(1)) === JSON.stringify(['Normal', 'ScalingReplicaSet', 'deployment/web', 'Scaled up replica set web-abc to 3'])),
      JSON.stringify(events));

    const cms = table(ok(k('get', 'cm', '-n', NS, '-l', 'set=five')));
    assert.deepEqual(cms[0], ['NAME', 'DATA', 'AGE']);
    assert.deepEqual(cms.slice(1).map((r) => r.slice(0, 2)), [1, 2, 3, 4, 5].map((i) => [`cm-${i}`, '1']));
  });

  test('get one object by name, by kind/name and several kinds at once', () => {
    assert.deepEqual(table(ok(k('get', 'deploy/web', '-n', NS)))[1].slice(0, 2), ['web', '0/3']);
    assert.deepEqual(table(ok(k('get', 'ns', NS)))[1].slice(0, 2), [NS, 'Active']);
    const out = ok(k('get', 'pod/p1', 'deployment/web', '-n', NS));
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/p1\s+0\/1\s+Pending\s+0\s+\d+s\n\nNAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s+0\/3\s+\d\s+0\s+\d+s\n$/);
    const missing = fails(k('get', 'pod', 'nope', '-n', NS));
    assert.equal(missing.trim(), 'Error from server (NotFound): pods "nope" not found');
    assert.equal(fails(k('get', 'node', 'nope')).trim(), 'Error from server (NotFound): nodes "nope" not found');
  });

  test('-o wide adds the wide columns', () => {
    const pods = table(ok(k('get', 'pods', '-n', NS, '-o', 'wide')));
    assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(pods[1].slice(5), ['<none>', '<none>', '<none>', '<none>']);
    const deploy = table(ok(k('get', 'deploy', '-n', NS, '-o', 'wide')));
    assert.deepEqual(deploy[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.deepEqual(deploy[1].slice(5), ['main', 'local/busybox:1', 'app=web']);
    const nodes = table(ok(k('get', 'nodes', '-o', 'wide')));
    assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
  });

  test('-o yaml and -o json return the stored object with defaults and metadata', () => {
    const d = parseYAML(ok(k('get', 'deployment', 'web', '-n', NS, '-o', 'yaml')));
    assert.equal(d.apiVersion, 'apps/v1');
    assert.equal(d.kind, 'Deployment');
    assert.match(d.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(d.metadata.resourceVersion, /^\d+$/);
    assert.match(d.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.spec.replicas, 3);
    // Defaults kube-apiserver applies, which manifests and tools rely on.
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const c = d.spec.template.spec.containers[0];
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');

    const list = JSON.parse(ok(k('get', 'cm', '-n', NS, '-l', 'set=five', '-o', 'json')));
    assert.equal(list.kind, 'List');
    assert.equal(list.apiVersion, 'v1');
    assert.deepEqual(list.items.map((i: any) => [i.kind, i.metadata.name, i.data.k]),
      [1, 2, 3, 4, 5].map((i) => ['ConfigMap', `cm-${i}`, `v${i}`]));

    const node = JSON.parse(ok(k('get', 'node', 'node-a', '-o', 'json')));
    assert.equal(node.kind, 'Node');
    assert.equal(node.metadata.namespace, undefined);
    const ns = parseYAML(ok(k('get', 'ns', NS, '-o', 'yaml')));
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], NS);
  });

  test('-o jsonpath, -o name and -o custom-columns', () => {
    assert.equal(ok(k('get', 'cm', '-n', NS, '-l', 'set=five', '-o', 'jsonpath={.items[*].metadata.name}')), 'cm-1 cm-2 cm-3 cm-4 cm-5');
    assert.equal(ok(k('get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.spec.replicas}/{.spec.template.spec.containers[0].name}')), '3/main');
    assert.equal(ok(k('get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}')), 'node-a\n');
    assert.equal(ok(k('get', 'cm', '-n', NS, '-l', 'parity=even', '-o', 'name')), 'configmap/cm-2\nconfigmap/cm-4\n');
    const cc = table(ok(k('get', 'cm', '-n', NS, '-l', 'set=five', '-o', 'custom-columns=NAME:.metadata.name,VALUE:.data.k,NS:.metadata.namespace')));
    assert.deepEqual(cc, [['NAME', 'VALUE', 'NS'], ...[1, 2, 3, 4, 5].map((i) => [`cm-${i}`, `v${i}`, NS])]);
    const ccns = table(ok(k('get', 'ns', NS, '-o', 'custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team')));
    assert.deepEqual(ccns, [['NAME', 'TEAM'], [NS, 'blue']]);
  });

  test('label selectors (-l) and --show-labels', () => {
    const names = (out: string) => table(out).map((r) => r[0]).filter((n) => n !== 'NAME');
    assert.deepEqual(names(ok(k('get', 'cm', '-n', NS, '-l', 'parity=odd'))), ['cm-1', 'cm-3', 'cm-5']);
    assert.deepEqual(names(ok(k('get', 'cm', '-n', NS, '-l', 'set=five,parity!=odd'))), ['cm-2', 'cm-4']);
    assert.deepEqual(names(ok(k('get', 'cm', '-n', NS, '-l', 'parity in (even, none)'))), ['cm-2', 'cm-4']);
    assert.deepEqual(names(ok(k('get', 'pods,deploy', '-n', NS, '-l', 'app=web,tier'))), ['pod/p1', 'deployment.apps/web']);
    assert.deepEqual(names(ok(k('get', 'ns', '-l', 'team=blue'))), [NS]);
    const none = k('get', 'cm', '-n', NS, '-l', 'parity=nope');
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr.trim(), `No resources found in ${NS} namespace.`);
    assert.equal(k('get', 'nodes', '-l', 'nope').stderr.trim(), 'No resources found');
    assert.match(fails(k('get', 'cm', '-n', NS, '-l', 'a=(b')), /unable to parse requirement|invalid label value|found '\(', expected/);

    const shown = table(ok(k('get', 'deploy', '-n', NS, '--show-labels')));
    assert.equal(shown[0].at(-1), 'LABELS');
    assert.equal(shown[1].at(-1), 'app=web,tier=front');
    const nsShown = table(ok(k('get', 'ns', NS, '--show-labels')));
    assert.equal(nsShown[1].at(-1), `kubernetes.io/metadata.name=${NS},team=blue`);
  });

  test('field selectors', () => {
    const names = (out: string) => table(out).slice(1).map((r) => r[0]);
    assert.deepEqual(names(ok(k('get', 'cm', '-n', NS, '--field-selector', 'metadata.name=cm-2'))), ['cm-2']);
    assert.deepEqual(names(ok(k('get', 'cm', '-n', NS, '-l', 'set=five', '--field-selector', 'metadata.name!=cm-2,metadata.name!=cm-3'))),
      ['cm-1', 'cm-4', 'cm-5']);
    const allNs = table(ok(k('get', 'pods', '-A', '--field-selector', 'status.phase=Pending,metadata.name=p1')));
    assert.deepEqual(allNs.map((r) => r.slice(0, 2)), [['NAMESPACE', 'NAME'], [NS, 'p1']]);
    assert.equal(k('get', 'pods', '-A', '--field-selector', 'status.phase=Running').stderr.trim(), 'No resources found');
    assert.deepEqual(names(ok(k('get', 'ns', '--field-selector', `metadata.name=${NS}`))), [NS]);
    const ev = table(ok(k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web,metadata.name=web.1')));
    assert.deepEqual(ev.slice(1).map((r) => r[2]), ['ScalingReplicaSet']);
    const kinds = table(ok(k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=Deployment')));
    assert.ok(kinds.slice(1).every((r) => r[3].startsWith('deployment/')), JSON.stringify(kinds));
    assert.equal(k('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=other').stderr.trim(), `No resources found in ${NS} namespace.`);
    const bad = fails(k('get', 'cm', '-n', NS, '--field-selector', 'spec.foo=bar'));
    assert.equal(bad.trim(), `Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "spec.foo=bar": "spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    // Pods convert their own field labels, with the older wording.
    assert.equal(fails(k('get', 'pods', '-n', NS, '--field-selector', 'spec.foo=bar')).trim(),
      `Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo`);
  });

  test('pagination: --chunk-size=2 over 5 objects makes 3 list calls and prints every row once', () => {
    const run = s.kubectl(['get', 'cm', '-n', NS, '-l', 'set=five', '--chunk-size=2', '-v=6']);
    const calls = run.stderr.split('\n').filter((l) => /GET https:\/\/\S+\/api\/v1\/namespaces\/e2e-get\/configmaps\?\S*limit=2\S* 200 OK/.test(l));
    assert.equal(calls.length, 3, run.stderr);
    assert.equal(calls.filter((l) => /[?&]continue=/.test(l)).length, 2);
    const rows = table(run.stdout);
    assert.deepEqual(rows.map((x) => x[0]), ['NAME', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5']);
    const json = JSON.parse(ok(k('get', 'cm', '-n', NS, '-l', 'set=five', '--chunk-size=2', '-o', 'json')));
    assert.equal(json.items.length, 5);
  });

  test('get all lists the "all" category', () => {
    const out = ok(k('get', 'all', '-n', NS));
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n(pod\/\S+.*\n)*pod\/p1\s+0\/1\s+Pending\s+0\s+\d+s\n/);
    assert.match(out, /\nNAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nservice\/svc\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\d+s\n/);
    assert.match(out, /\nNAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s+0\/3\s+\d\s+0\s+\d+s\n/);
    assert.doesNotMatch(out, /configmap/);
    // default holds the kubernetes service, as in any cluster; kube-public holds nothing of the category.
    assert.match(ok(k('get', 'all', '-n', 'default')), /service\/kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP/);
    const empty = k('get', 'all', '-n', 'kube-public');
    assert.equal(empty.code, 0);
    assert.equal(empty.stderr.trim(), 'No resources found in kube-public namespace.');
  });

  test('get -w streams added and modified objects (namespaced and cluster-scoped)', async () => {
    const lines = async (args: string[], act: () => void, want: number) => {
      const w = s.kubectlSpawn(args);
      let out = '';
      let err = '';
      w.stderr!.on('data', (d) => { err += d; });
      const got = new Promise<void>((resolve) => {
        w.stdout!.on('data', (d) => { out += d; if (out.split('\n').length - 1 >= want) resolve(); });
      });
      try {
        // The initial (empty) list is done when kubectl has its watch open; a short pause suffices.
        await new Promise((r) => setTimeout(r, 700));
        act();
        const timeout = setTimeout(() => w.kill('SIGKILL'), 10_000);
        await Promise.race([got, once(w, 'exit')]);
        clearTimeout(timeout);
        return out.split('\n').filter((l) => l.trim() !== '').map(cells);
      } finally {
        w.kill('SIGTERM');
        if (w.exitCode === null && w.signalCode === null) await once(w, 'exit');
        assert.equal(err.replace(/^W\d+ .*\n/gm, ''), '');
      }
    };
    const rows = await lines(['get', 'cm', '-n', NS, '-l', 'watch=yes', '-w'], () => {
      ok(k('create', 'configmap', 'w1', '-n', NS, '--from-literal=a=1'));
      ok(k('label', 'cm', 'w1', '-n', NS, 'watch=yes'));
      ok(k('patch', 'cm', 'w1', '-n', NS, '-p', '{"data":{"b":"2"}}'));
    }, 3);
    assert.deepEqual(rows.map((r) => r.slice(0, 2)), [['NAME', 'DATA'], ['w1', '1'], ['w1', '2']]);

    const nsRows = await lines(['get', 'ns', '-l', 'watch=yes', '-w'], () => {
      ok(k('create', 'namespace', 'e2e-watch'));
      ok(k('label', 'ns', 'e2e-watch', 'watch=yes'));
      ok(k('annotate', 'ns', 'e2e-watch', 'note=1'));
    }, 3);
    assert.deepEqual(nsRows.map((r) => r.slice(0, 2)), [['NAME', 'STATUS'], ['e2e-watch', 'Active'], ['e2e-watch', 'Active']]);
  });

  test('describe a deployment and a namespace', () => {
    const d = ok(k('describe', 'deployment', 'web', '-n', NS));
    assert.match(d, /^Name:\s+web$/m);
    assert.match(d, /^Namespace:\s+e2e-get$/m);
    assert.match(d, /^CreationTimestamp:\s+\w{3}, \d\d \w{3} \d{4} /m);
    assert.match(d, /^Labels:\s+app=web\n\s+tier=front$/m);
    assert.match(d, /^Selector:\s+app=web$/m);
    assert.match(d, /^Replicas:\s+3 desired \| [03] updated \| [03] total \| 0 available \| [03] unavailable$/m);
    assert.match(d, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(d, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(d, /^Pod Template:\n\s+Labels:\s+app=web\n\s+Containers:\n\s+main:\n\s+Image:\s+local\/busybox:1$/m);
    assert.match(d, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n(.*\n)*\s+Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-abc to 3$/m);

    const n = ok(k('describe', 'namespace', NS));
    assert.match(n, /^Name:\s+e2e-get$/m);
    assert.match(n, /^Labels:\s+kubernetes\.io\/metadata\.name=e2e-get\n\s+team=blue$/m);
    assert.match(n, /^Status:\s+Active$/m);
    assert.match(n, /^No resource quota\.$/m);
    assert.match(n, /^No LimitRange resource\.$/m);
    assert.equal(fails(k('describe', 'ns', 'nope')).trim(), 'Error from server (NotFound): namespaces "nope" not found');
  });

  test('explain reads the OpenAPI schema', () => {
    const r = ok(k('explain', 'deployment.spec.replicas'));
    assert.match(r, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: replicas <integer>\n/);
    assert.match(r, /DESCRIPTION:\n\s+Number of desired pods\./);
    const c = ok(k('explain', 'pods.spec.containers'));
    assert.match(c, /^KIND:\s+Pod\nVERSION:\s+v1\n\nFIELD: containers <\[\]Container>\n/);
    assert.match(c, /^\s+image\s+<string>$/m);
    assert.match(c, /^\s+name\s+<string> -required-$/m);
    const ns = ok(k('explain', 'namespace.spec'));
    assert.match(ns, /^KIND:\s+Namespace\nVERSION:\s+v1\n\nFIELD: spec <NamespaceSpec>\n/);
    assert.match(ok(k('explain', 'deploy', '--recursive')), /^\s+replicas\s+<integer>$/m);
    assert.equal(fails(k('explain', 'deployment.spec.nope')).trim(), 'error: field "nope" does not exist');
  });

  test('api-resources with short names, --namespaced=false and api-versions', () => {
    const rows = table(ok(k('api-resources')));
    assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const row = (name: string, apiVersion = 'v1') => rows.find((r) => r[0] === name && r[2] === apiVersion);
    assert.deepEqual(row('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
    assert.deepEqual(row('deployments', 'apps/v1'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    assert.deepEqual(row('services'), ['services', 'svc', 'v1', 'true', 'Service']);
    assert.deepEqual(row('namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(row('nodes'), ['nodes', 'no', 'v1', 'false', 'Node']);
    assert.deepEqual(row('secrets'), ['secrets', '', 'v1', 'true', 'Secret']);
    assert.deepEqual(row('events', 'events.k8s.io/v1'), ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event']);

    const cluster = table(ok(k('api-resources', '--namespaced=false', '-o', 'name')));
    const names = cluster.map((r) => r[0]);
    for (const n of ['namespaces', 'nodes', 'persistentvolumes', 'clusterroles.rbac.authorization.k8s.io']) assert.ok(names.includes(n), n);
    for (const n of ['pods', 'deployments.apps', 'configmaps']) assert.ok(!names.includes(n), n);
    const apps = table(ok(k('api-resources', '--api-group=apps', '-o', 'name'))).map((r) => r[0]);
    assert.deepEqual(apps.sort(), ['controllerrevisions.apps', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps']);

    const versions = ok(k('api-versions')).trim().split('\n');
    for (const v of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1']) assert.ok(versions.includes(v), v);
    assert.deepEqual(versions, [...versions].sort());
  });

  test('version reports the client and the server', () => {
    const out = ok(k('version'));
    assert.match(out, /^Client Version: v1\.32\.\d+.*\nKustomize Version: v\S+\nServer Version: v1\.32\.\d+\S*\n$/);
    const json = JSON.parse(ok(k('version', '-o', 'json')));
    assert.equal(json.serverVersion.major, '1');
    assert.equal(json.serverVersion.minor, '32');
    assert.match(json.serverVersion.gitVersion, /^v1\.32\.\d+/);
  });
});
