/**
 * The real kubectl's typed `create` commands, which send Kubernetes protobuf bodies, against `tug server`:
 * each object is created and read back as JSON with the fields the command set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';

const NS = 'p1';

describe('kubectl create with protobuf bodies', () => {
  let s: TugServer | undefined;
  const k = (...args: string[]) => ok(s!.kubectl(args));
  const get = (...args: string[]) => JSON.parse(k('get', ...args, '-n', NS, '-o', 'json'));

  before(async () => {
    s = await startTugServer();
    k('create', 'namespace', NS);
  });
  after(async () => { await s?.cleanup(); });

  test('namespace', () => {
    assert.equal(JSON.parse(k('get', 'namespace', NS, '-o', 'json')).metadata.name, NS);
  });

  test('deployment with replicas 0 keeps the pointer zero', () => {
    k('create', 'deployment', 'web', '--image=busybox', '--replicas=0', '-n', NS);
    assert.equal(k('get', 'deploy', 'web', '-n', NS, '-o', 'jsonpath={.spec.replicas}'), '0');
    const d = get('deploy', 'web');
    assert.deepEqual(d.spec.selector.matchLabels, { app: 'web' });
    assert.equal(d.spec.template.spec.containers[0].image, 'busybox');
    assert.equal(d.spec.template.spec.containers[0].name, 'busybox');
  });

  test('configmap and secret', () => {
    k('create', 'configmap', 'c', '--from-literal=a=b', '-n', NS);
    assert.deepEqual(get('configmap', 'c').data, { a: 'b' });
    k('create', 'secret', 'generic', 's', '--from-literal=k=v', '-n', NS);
    const secret = get('secret', 's');
    assert.deepEqual(secret.data, { k: 'dg==' });
    assert.equal(secret.type, 'Opaque');
  });

  test('service clusterip', () => {
    k('create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '-n', NS);
    const svc = get('service', 'svc');
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.ports[0].port, 80);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    assert.equal(svc.spec.ports[0].protocol, 'TCP');
    assert.deepEqual(svc.spec.selector, { app: 'svc' });
  });

  test('job and cronjob', () => {
    k('create', 'job', 'j', '--image=busybox', '-n', NS);
    assert.equal(get('job', 'j').spec.template.spec.containers[0].image, 'busybox');
    k('create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-n', NS);
    const cj = get('cronjob', 'cj');
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.containers[0].image, 'busybox');
  });

  test('ingress', () => {
    k('create', 'ingress', 'ing', '--rule=foo.com/bar=svc:80', '-n', NS);
    const rule = get('ingress', 'ing').spec.rules[0];
    assert.equal(rule.host, 'foo.com');
    assert.equal(rule.http.paths[0].path, '/bar');
    assert.equal(rule.http.paths[0].pathType, 'Exact');
    assert.deepEqual(rule.http.paths[0].backend.service, { name: 'svc', port: { number: 80 } });
  });

  test('poddisruptionbudget', () => {
    k('create', 'pdb', 'p', '--selector=app=x', '--min-available=1', '-n', NS);
    const pdb = get('pdb', 'p');
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, { app: 'x' });
  });

  test('priorityclass', () => {
    k('create', 'priorityclass', 'hi', '--value=1000');
    assert.equal(JSON.parse(k('get', 'priorityclass', 'hi', '-o', 'json')).value, 1000);
  });

  test('role, rolebinding, clusterrole, clusterrolebinding', () => {
    k('create', 'role', 'r', '--verb=get', '--resource=pods', '-n', NS);
    assert.deepEqual(get('role', 'r').rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    k('create', 'rolebinding', 'rb', '--role=r', '--user=u', '-n', NS);
    const rb = get('rolebinding', 'rb');
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    assert.deepEqual(rb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'u' }]);
    k('create', 'clusterrole', 'cr', '--verb=list', '--resource=nodes');
    assert.deepEqual(JSON.parse(k('get', 'clusterrole', 'cr', '-o', 'json')).rules, [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }]);
    k('create', 'clusterrolebinding', 'crb', '--clusterrole=cr', `--serviceaccount=${NS}:sa`);
    assert.deepEqual(JSON.parse(k('get', 'clusterrolebinding', 'crb', '-o', 'json')).subjects, [{ kind: 'ServiceAccount', name: 'sa', namespace: NS }]);
  });

  test('serviceaccount and quota', () => {
    k('create', 'serviceaccount', 'sa', '-n', NS);
    assert.equal(get('serviceaccount', 'sa').metadata.name, 'sa');
    k('create', 'quota', 'q', '--hard=pods=10', '-n', NS);
    assert.deepEqual(get('resourcequota', 'q').spec.hard, { pods: '10' });
  });
});
