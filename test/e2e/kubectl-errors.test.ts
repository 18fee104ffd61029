/**
 * Bad input through the real kubectl and raw HTTPS against `tug server`: malformed bodies, wrong
 * apiVersion/kind, strict field validation, invalid names, oversized bodies, unknown resources,
 * wrong content types, stale resourceVersions and missing credentials — with the status codes
 * and the lines kubectl prints against kube-apiserver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseYAML, stringify } from 'yaml';
import { fails, ok, startTugServer, type TugServer } from '../support/tug-server.js';

const NS = 'e2e-errors';
const SUBDOMAIN = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const LABEL = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;

const cmPath = `/api/v1/namespaces/${NS}/configmaps`;

describe('bad input through kubectl and raw HTTPS', () => {
  let s: TugServer;
  const k = (...args: string[]) => s.kubectl(args);
  const post = (path: string, body: string, contentType = 'application/json') =>
    s.request('POST', path, { body, headers: { 'Content-Type': contentType } });
  const assertStatus = (r: { status: number; body: string; json(): any }, code: number, reason: string) => {
    assert.equal(r.status, code, r.body);
    const st = r.json();
    assert.equal(st.kind, 'Status');
    assert.equal(st.apiVersion, 'v1');
    assert.equal(st.status, 'Failure');
    assert.equal(st.code, code);
    assert.equal(st.reason, reason);
    return st;
  };

  before(async () => {
    s = await startTugServer();
    ok(k('create', 'namespace', NS));
  });
  after(async () => { await s?.cleanup(); });

  test('malformed JSON and YAML bodies are 400 BadRequest', async () => {
    const file = s.writeFile('broken.json', '{"apiVersion":"v1","kind":"ConfigMap",');
    const viaKubectl = fails(k('create', '--raw', cmPath, '-f', file));
    assert.match(viaKubectl, /^Error from server \(BadRequest\): couldn't get version\/kind; json parse error: /);

    const json = assertStatus(await post(cmPath, '{"kind":"ConfigMap", nope}'), 400, 'BadRequest');
    assert.match(json.message, /^couldn't get version\/kind; json parse error: /);
    const yaml = assertStatus(await post(cmPath, 'kind: ConfigMap\nmetadata: {name: [x\n', 'application/yaml'), 400, 'BadRequest');
    assert.match(yaml.message, /^error converting YAML to JSON: /);
    const notObject = assertStatus(await post(cmPath, '[1,2]'), 400, 'BadRequest');
    assert.match(notObject.message, /cannot be handled as a ConfigMap|cannot unmarshal array/);
    // A body without kind takes it from the URL, as kube-apiserver's decoder defaults it.
    const noKind = await post(cmPath, '{"apiVersion":"v1","metadata":{"name":"no-kind"}}');
    assert.equal(noKind.status, 201, noKind.body);
    assert.equal(noKind.json().kind, 'ConfigMap');
    const empty = assertStatus(await post(cmPath, ''), 400, 'BadRequest');
    assert.match(empty.message, /^Object 'Kind' is missing in ''$|^couldn't get version\/kind/);

    // kubectl itself refuses an unparsable file before sending anything.
    const bad = s.writeFile('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n');
    assert.match(fails(k('create', '-f', bad)), /^error: error parsing .*broken\.yaml: error converting YAML to JSON: yaml: line \d+: /);
  });

  test('kubectl reads /openapi/v2 as protobuf: explain plaintext-openapiv2, and a Deployment still applies', async () => {
    const raw = await s.request('GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const json = await s.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    assert.equal(json.json().swagger, '2.0');

    const explain = ok(k('explain', 'deployment.spec.template.spec.containers.ports', '--output=plaintext-openapiv2'));
    assert.match(explain, /^KIND: {5}Deployment\nVERSION: {2}apps\/v1\n\nRESOURCE: ports <\[\]Object>\n/);
    assert.match(explain, /containerPort\t<integer> -required-/);
    const file = s.writeFile('v2-deploy.yaml', `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: v2\n  namespace: ${NS}\nspec:
  selector: {matchLabels: {app: v2}}\n  template:\n    metadata: {labels: {app: v2}}\n    spec: {containers: [{name: c, image: local/busybox:1}]}\n`);
    assert.equal(ok(k('apply', '-f', file)).trim(), 'deployment.apps/v2 created');
  });

  // kubectl validates a kind the server's OpenAPI does not list by asking whether it is a CRD
  // (LIST apiextensions.k8s.io/v1 customresourcedefinitions), which tugboat does not serve yet, so
  // kubectl stops at "failed to check CRD" before it can print the mapping error below.
  test('a kind the server does not serve: kubectl prints the mapping error', { todo: 'apiextensions.k8s.io/v1 CRDs' }, () => {
    const file = s.writeFile('wrong-group.yaml', `apiVersion: apps/v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ${NS}\n`);
    assert.equal(fails(k('create', '-f', file)).trim(),
      `error: resource mapping not found for name: "x" namespace: "${NS}" from "${file}": no matches for kind "ConfigMap" in version "apps/v1"\nensure CRDs are installed first`);
    const nokind = s.writeFile('wrong-kind.yaml', `apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: x\n`);
    assert.match(fails(k('apply', '-f', nokind)), /no matches for kind "Gizmo" in version "v1"/);
  });

  test('wrong apiVersion or kind in the body', async () => {
    const version = assertStatus(await post(cmPath, '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}'), 400, 'BadRequest');
    assert.equal(version.message, 'the API version in the data (apps/v1) does not match the expected API version (v1)');
    const kind = assertStatus(await post(cmPath, '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'), 400, 'BadRequest');
    assert.match(kind.message, /Secret/);
    assert.match(kind.message, /ConfigMap/);
    assert.equal(fails(k('get', 'cm', 'x', '-n', NS)).trim(), 'Error from server (NotFound): configmaps "x" not found');
  });

  test('unknown fields fail under strict validation (kubectl\'s default)', () => {
    const manifest = (replicasKey: string, name = 'strict') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  ${replicasKey}: 2
  selector:
    matchLabels: {app: s}
  template:
    metadata:
      labels: {app: s}
    spec:
      containers:
      - name: c
        image: local/busybox:1
`;
    const file = s.writeFile('strict.yaml', manifest('replicass'));
    const r = s.kubectl(['apply', '-f', file, '-v=6']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /POST https:\/\/\S+\/apis\/apps\/v1\/namespaces\/e2e-errors\/deployments\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 400 Bad Request/);
    assert.equal(r.stderr.trim().split('\n').at(-1),
      `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"`);
    assert.equal(fails(k('create', '-f', file)).trim(),
      `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"`);

    // An update (apply's patch and replace) is checked too.
    const good = s.writeFile('good.yaml', manifest('replicas'));
    ok(k('apply', '-f', good));
    const patchErr = fails(k('apply', '-f', file));
    assert.match(patchErr, /unknown field "spec\.replicass"/);
    assert.match(fails(k('replace', '-f', file)), /unknown field "spec\.replicass"/);
    assert.match(fails(k('apply', '--server-side', '-f', file)), /replicass/);
    assert.equal(JSON.parse(ok(k('get', 'deploy', 'strict', '-n', NS, '-o', 'json'))).spec.replicas, 2);

    // Several unknown fields are all named.
    const two = s.writeFile('two.yaml', manifest('replicass', 'two').replace('        image: local/busybox:1\n', '        image: local/busybox:1\n        imagee: x\n'));
    assert.match(fails(k('create', '-f', two)), /strict decoding error: unknown field "spec\.replicass", unknown field "spec\.template\.spec\.containers\[0\]\.imagee"/);
  });

  test('invalid names are 422 Invalid with the field cause', async () => {
    const file = s.writeFile('badname.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: ${NS}\n`);
    assert.equal(fails(k('create', '-f', file)).trim(), `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`);
    assert.equal(fails(k('create', 'namespace', 'Bad_NS')).trim(),
      `The Namespace "Bad_NS" is invalid: metadata.name: Invalid value: "Bad_NS": ${LABEL}`);
    assert.equal(fails(k('create', 'configmap', 'Bad_Name', '-n', NS, '--from-literal=a=1')).trim(),
      `error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`);

    const raw = assertStatus(await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } })), 422, 'Invalid');
    assert.equal(raw.message, `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`);
    assert.deepEqual(raw.details, { name: 'Bad_Name', kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${SUBDOMAIN}`, field: 'metadata.name' }] });

    // Several field errors: kubectl prints one line each.
    const pod = s.writeFile('badpod.yaml', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad-pod\n  namespace: ${NS}\nspec:\n  containers:\n  - name: Bad_C\n`);
    const multi = fails(k('create', '-f', pod));
    assert.match(multi, /^The Pod "bad-pod" is invalid: \n\* spec\.containers\[0\]\.name: Invalid value: "Bad_C": /);
    assert.match(multi, /^\* spec\.containers\[0\]\.image: Required value$/m);
  });

  test('a body over 3 MiB is 413', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024 + 10);
    const r = assertStatus(await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { big } })), 413, 'RequestEntityTooLarge');
    assert.equal(r.message, 'Request entity too large: limit is 3145728');
    const file = s.writeFile('big.yaml', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: NS }, data: { big } }));
    assert.equal(fails(k('create', '-f', file)).trim(),
      `Error from server (RequestEntityTooLarge): error when creating "${file}": Request entity too large: limit is 3145728`);
    // Under the body limit but over a ConfigMap's 1 MiB: invalid, not too large.
    const mid = s.writeFile('mid.yaml', stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mid', namespace: NS }, data: { big: 'x'.repeat(1024 * 1024 + 1) } }));
    assert.match(fails(k('create', '-f', mid)), /^The ConfigMap "mid" is invalid: \[\]: Too long: (may not be more than|must have at most) 1048576 bytes$/m);
  });

  test('unknown resources', async () => {
    assert.equal(fails(k('get', 'foos')).trim(), 'error: the server doesn\'t have a resource type "foos"');
    assert.equal(fails(k('get', 'foos.example.com', 'x')).trim(), 'error: the server doesn\'t have a resource type "foos"');
    assert.equal(fails(k('delete', 'foos', 'x')).trim(), 'error: the server doesn\'t have a resource type "foos"');
    const raw = assertStatus(await s.request('GET', '/api/v1/foos'), 404, 'NotFound');
    assert.equal(raw.message, 'the server could not find the requested resource');
    assertStatus(await s.request('GET', '/apis/example.com/v1/namespaces/x/foos'), 404, 'NotFound');
    assert.equal(fails(k('get', '--raw', '/api/v1/foos')).trim(), 'Error from server (NotFound): the server could not find the requested resource');
    // A namespaced path for a cluster-scoped kind does not exist either.
    assertStatus(await s.request('GET', `/api/v1/namespaces/${NS}/nodes`), 404, 'NotFound');
  });

  test('wrong content types are 415', async () => {
    const r = assertStatus(await post(cmPath, 'apiVersion=v1', 'text/plain'), 415, 'UnsupportedMediaType');
    assert.match(r.message, /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml/);
    ok(k('create', 'cm', 'ct', '-n', NS));
    const p = assertStatus(await s.request('PATCH', `${cmPath}/ct`, { body: '{"data":{"a":"1"}}', headers: { 'Content-Type': 'application/json' } }), 415, 'UnsupportedMediaType');
    assert.match(p.message, /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml, application\/strategic-merge-patch\+json/);
    // YAML is accepted on create.
    const created = await post(cmPath, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {a: "1"}\n', 'application/yaml');
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json().data.a, '1');
  });

  test('a stale resourceVersion is 409 Conflict', async () => {
    ok(k('create', 'cm', 'stale', '-n', NS, '--from-literal=v=1'));
    const old = ok(k('get', 'cm', 'stale', '-n', NS, '-o', 'yaml'));
    ok(k('patch', 'cm', 'stale', '-n', NS, '-p', '{"data":{"v":"2"}}'));
    const doc = parseYAML(old);
    doc.data.v = '3';
    const file = s.writeFile('stale.yaml', stringify(doc));
    assert.equal(fails(k('replace', '-f', file)).trim(),
      `Error from server (Conflict): error when replacing "${file}": Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again`);
    assert.equal(JSON.parse(ok(k('get', 'cm', 'stale', '-n', NS, '-o', 'json'))).data.v, '2');
    const raw = assertStatus(await s.request('PUT', `${cmPath}/stale`, { body: JSON.stringify(doc), headers: { 'Content-Type': 'application/json' } }), 409, 'Conflict');
    assert.deepEqual(raw.details, { name: 'stale', kind: 'configmaps' });
    // replace --raw with the same stale body, then with the current one.
    const staleJSON = s.writeFile('stale.json', JSON.stringify(doc));
    assert.match(fails(k('replace', '--raw', `${cmPath}/stale`, '-f', staleJSON)), /^Error from server \(Conflict\): Operation cannot be fulfilled on configmaps "stale"/);
    const fresh = JSON.parse(ok(k('get', 'cm', 'stale', '-n', NS, '-o', 'json')));
    fresh.data.v = '4';
    const out = JSON.parse(ok(k('replace', '--raw', `${cmPath}/stale`, '-f', s.writeFile('fresh.json', JSON.stringify(fresh)))));
    assert.equal(out.data.v, '4');
    // Creating what exists is 409 AlreadyExists; creating into a missing namespace is 404.
    assert.equal(fails(k('create', 'cm', 'stale', '-n', NS)).trim(), 'error: failed to create configmap: configmaps "stale" already exists');
    assert.equal(fails(k('create', 'cm', 'x', '-n', 'no-such-ns')).trim(), 'error: failed to create configmap: namespaces "no-such-ns" not found');
  });

  test('no credentials is 401; a wrong token too', async () => {
    const anon = assertStatus(await s.request('GET', '/api/v1/namespaces', { anonymous: true }), 401, 'Unauthorized');
    assert.equal(anon.message, 'Unauthorized');
    assertStatus(await s.request('GET', '/api/v1/namespaces', { anonymous: true, headers: { Authorization: 'Bearer nope' } }), 401, 'Unauthorized');
    assertStatus(await s.request('POST', cmPath, { anonymous: true, body: '{}', headers: { 'Content-Type': 'application/json' } }), 401, 'Unauthorized');
    // Health and version stay public, as kube-apiserver's system:public-info-viewer allows.
    const v = await s.request('GET', '/version', { anonymous: true });
    assert.equal(v.status, 200);
    assert.equal(v.json().major, '1');
    assert.equal((await s.request('GET', '/readyz', { anonymous: true })).body, 'ok');

    // kubectl with a kubeconfig whose token the server does not know.
    const kc = parseYAML(ok(k('config', 'view', '--raw')));
    kc.users = [{ name: 'default', user: { token: 'wrong' } }];
    const tokenConfig = s.writeFile('token.kubeconfig', stringify(kc));
    const r = s.kubectl(['get', 'ns', '--kubeconfig', tokenConfig]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // "(Unauthorized)" from the list's Status, or the discovery client's wording when discovery is not cached.
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/);
    const t = s.kubectl(['get', '--raw', '/api/v1/namespaces', '--kubeconfig', tokenConfig]);
    assert.equal(t.code, 1);
    assert.equal(t.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
  });
});
