/**
 * @module metrics.k8s.io end to end without containers: the real kubectl (`top`, `get`, raw
 * requests) against the API server, which scrapes a real agent HTTPS server backed by the fake
 * runtime whose containers burn CPU at set rates. Checks discovery, the objects, selectors, tables,
 * upstream's errors, and that a node whose agent does not answer is left out.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lookupResource } from '../../api/scheme.js';
import { writeAdminKubeconfig } from '../../cli/kubeconfig.js';
import { FakeRuntime } from '../../kubelet/cri/fake.js';
import { Labels, type ContainerStats } from '../../kubelet/cri/types.js';
import { startKubeletServer, type KubeletServer } from '../../kubelet/server/server.js';
import { openStore } from '../../storage/factory.js';
import type { Store } from '../../storage/store.js';
import { builtinAdmission } from '../admission/index.js';
import { ensureKubeletClientCert, ensureKubeletServingCert, ensurePKI } from '../auth/pki.js';
import { ensureSystemNamespaces } from '../bootstrap.js';
import { LocalClient } from '../local-client.js';
import { startApiServer, type ApiServer } from '../server.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const podsRef = (namespace: string) => ({ type: lookupResource('', 'v1', 'pods')!, namespace });
const nodesRef = { type: lookupResource('', 'v1', 'nodes')! };
const MiB = 1024 * 1024;

/** The fake runtime, with each container's CPU counter growing at a set rate from when it was set. */
class BurningRuntime extends FakeRuntime {
  private readonly rates = new Map<string, { milliCores: bigint; sinceNs: bigint }>();

  burn(containerId: string, milliCores: number): void {
    this.rates.set(containerId, { milliCores: BigInt(milliCores), sinceNs: BigInt(Date.now()) * 1_000_000n });
  }

  override async listContainerStats(filter?: { id?: string; podSandboxId?: string }): Promise<ContainerStats[]> {
    const stats = await super.listContainerStats(filter);
    for (const s of stats) {
      const r = this.rates.get(s.attributes.id);
      if (r && s.cpu) s.cpu.usageCoreNanoSeconds = { value: String(((BigInt(s.cpu.timestamp) - r.sinceNs) * r.milliCores) / 1000n) };
    }
    return stats;
  }
}

interface Run { code: number; stdout: string; stderr: string }

describe('metrics.k8s.io through kubectl', () => {
  let dir: string;
  let runtime: BurningRuntime;
  let kubelet: KubeletServer;
  let store: Store;
  let api: ApiServer;
  let kubeconfig: string;
  let client: LocalClient;
  let closed: net.Server;

  const kubectl = (...args: string[]) => new Promise<Run>((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

  async function node(name: string, port: number, ready: boolean): Promise<void> {
    const n = await client.create(nodesRef, { metadata: { name, labels: { tier: name === 'test-node' ? 'a' : 'b' } } });
    await client.updateStatus(nodesRef, { ...n, status: {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } },
      capacity: { cpu: '2', memory: '8Gi', pods: '110' }, allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'KubeletReady', message: '' }],
    } });
  }

  /** A Pod object bound to test-node and its containers in the runtime, burning CPU at the given rates. */
  async function pod(namespace: string, name: string, labels: Record<string, string>, containers: Record<string, { milliCores: number; memory: number }>) {
    const created = await client.create(podsRef(namespace), { metadata: { name, namespace, labels }, spec: {
      nodeName: 'test-node', containers: Object.keys(containers).map((c) => ({ name: c, image: 'busybox' })) } });
    const config = { metadata: { name, namespace, uid: created.metadata.uid },
      labels: { [Labels.podName]: name, [Labels.podNamespace]: namespace, [Labels.podUID]: created.metadata.uid } };
    const sandbox = await runtime.runPodSandbox(config);
    for (const [c, usage] of Object.entries(containers)) {
      const id = await runtime.createContainer(sandbox, { metadata: { name: c }, image: { image: 'busybox' },
        labels: { ...config.labels, [Labels.containerName]: c } }, config);
      await runtime.startContainer(id);
      runtime.setUsage(id, { memoryWorkingSetBytes: usage.memory });
      runtime.burn(id, usage.milliCores);
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-metrics-api-'));
    const pki = await ensurePKI(dir, { hosts: [] });
    const serving = await ensureKubeletServingCert(pki, { nodeName: 'test-node', addresses: ['127.0.0.1'] });
    runtime = new BurningRuntime({ writeLogs: false, images: ['busybox'] });
    kubelet = await startKubeletServer({ runtime, port: 0, host: '127.0.0.1', tls: { cert: serving.cert, key: serving.key, ca: pki.ca.cert }, log: quiet });
    store = await openStore({ dataDir: dir, watchCache: true });
    api = await startApiServer({ store, admission: builtinAdmission, pki, host: '127.0.0.1', port: 0,
      kubeletClient: { ca: pki.ca.cert, ...(await ensureKubeletClientCert(pki)) } });
    await ensureSystemNamespaces(api.registry);
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeAdminKubeconfig(kubeconfig, { server: `https://127.0.0.1:${api.port}`, caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key });
    client = new LocalClient(api.registry, 'test');
    // A Ready node whose agent refuses connections, and one that is not Ready (never scraped).
    closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await node('test-node', kubelet.port, true);
    await node('dead-node', deadPort, true);
    await node('notready-node', kubelet.port, false);
    await pod('default', 'web', { app: 'web' }, { app: { milliCores: 250, memory: 10 * MiB }, side: { milliCores: 10, memory: 2 * MiB } });
    await pod('default', 'idle', { app: 'idle' }, { main: { milliCores: 0, memory: 1 * MiB } });
    await pod('kube-system', 'sys', { app: 'sys' }, { main: { milliCores: 5, memory: 3 * MiB } });
    await client.create(podsRef('default'), { metadata: { name: 'pending', namespace: 'default', labels: { app: 'pending' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  });
  after(async () => {
    await api?.close();
    await store?.close();
    await kubelet?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('discovery lists metrics.k8s.io/v1beta1 with nodes and pods, get and list only', async () => {
    const resources = rows(await ok('api-resources', '--api-group=metrics.k8s.io'));
    assert.deepEqual(resources.slice(1), [['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics'], ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics']]);
    const list = JSON.parse(await ok('get', '--raw', '/apis/metrics.k8s.io/v1beta1'));
    assert.deepEqual(list.resources.map((r: any) => [r.name, r.kind, r.namespaced, r.verbs]),
      [['nodes', 'NodeMetrics', false, ['get', 'list']], ['pods', 'PodMetrics', true, ['get', 'list']]]);
    assert.ok(JSON.parse(await ok('get', '--raw', '/apis')).groups.some((g: any) => g.name === 'metrics.k8s.io' && g.preferredVersion.version === 'v1beta1'));
    // The core kinds keep their singular names: "pod" and "node" still mean core/v1.
    await ok('get', 'pod', 'web');
    await ok('get', 'node', 'test-node');
  });

  test('kubectl top node shows the scraped node\'s usage and percentages; nodes not scraped are <unknown>', async () => {
    const out = rows(await ok('top', 'node'));
    assert.deepEqual(out[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    const byName = Object.fromEntries(out.slice(1).map((r) => [r[0], r.slice(1).join(' ')]));
    assert.match(byName['test-node'], /^\d+m \d+% \d+Mi \d+%$/);
    // kubectl lists every node and marks those without metrics.
    assert.equal(byName['dead-node'], '<unknown> <unknown> <unknown> <unknown>');
    assert.equal(byName['notready-node'], '<unknown> <unknown> <unknown> <unknown>');
    assert.deepEqual(rows(await ok('top', 'node', 'test-node')).slice(1).map((r) => r[0]), ['test-node']);
    assert.deepEqual(rows(await ok('top', 'node', '-l', 'tier=a')).slice(1).map((r) => r[0]), ['test-node']);
  });

  test('kubectl top pod: rates from the runtime\'s counters, --containers, -l, -A and by name', async () => {
    const out = rows(await ok('top', 'pod'));
    assert.deepEqual(out[0], ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const byName = Object.fromEntries(out.slice(1).map((r) => [r[0], r.slice(1)]));
    assert.deepEqual(Object.keys(byName).sort(), ['idle', 'web']);
    const webCpu = Number(byName.web[0].replace(/m$/, ''));
    assert.ok(webCpu >= 250 && webCpu <= 265, `web ${byName.web[0]}`);
    assert.deepEqual(byName.web[1], '12Mi');
    assert.deepEqual(byName.idle, ['0m', '1Mi']);

    const containers = rows(await ok('top', 'pod', 'web', '--containers'));
    assert.deepEqual(containers[0], ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    assert.deepEqual(containers.slice(1).map((r) => [r[0], r[1], r[3]]), [['web', 'app', '10Mi'], ['web', 'side', '2Mi']]);
    assert.deepEqual(rows(await ok('top', 'pod', '-l', 'app=idle')).slice(1).map((r) => r[0]), ['idle']);
    const all = rows(await ok('top', 'pod', '-A'));
    assert.deepEqual(all.slice(1).map((r) => `${r[0]}/${r[1]}`).sort(), ['default/idle', 'default/web', 'kube-system/sys']);
    assert.deepEqual(rows(await ok('top', 'pod', '--field-selector', 'metadata.name=web')).slice(1).map((r) => r[0]), ['web']);
  });

  test('the objects are metrics-server\'s: labels, timestamp, window, nanocores and Ki', async () => {
    const n = JSON.parse(await ok('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/test-node'));
    assert.deepEqual(Object.keys(n), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'usage']);
    assert.equal(n.kind, 'NodeMetrics');
    assert.deepEqual(n.metadata.labels, { tier: 'a' });
    assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(n.window, /^\d+(\.\d+)?m?s$/);
    assert.match(n.usage.cpu, /^\d+(n|u|m)?$/);
    assert.match(n.usage.memory, /^\d+(Ki|Mi|Gi)?$/);
    const list = JSON.parse(await ok('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb'));
    assert.equal(list.kind, 'PodMetricsList');
    assert.deepEqual(list.metadata, {});
    const [web] = list.items;
    assert.deepEqual({ ...web.metadata, creationTimestamp: undefined }, { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: undefined });
    assert.deepEqual(web.containers.map((c: any) => [c.name, c.usage.memory]), [['app', '10Mi'], ['side', '2Mi']]);
    assert.match(web.containers[0].usage.cpu, /^(2[456]\d{7}n|2[456]\dm)$/);
  });

  test('kubectl get prints metrics-server\'s table', async () => {
    const out = rows(await ok('get', 'pods.metrics.k8s.io', '-l', 'app=web'));
    assert.deepEqual(out[0], ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
    assert.equal(out[1][0], 'web');
    assert.equal(out[1][2], '12Mi');
    assert.deepEqual(rows(await ok('get', 'nodes.metrics.k8s.io')).slice(1).map((r) => r[0]), ['test-node']);
  });

  test('unknown names and pods without figures read as upstream; selectors are checked', async () => {
    assert.match((await kubectl('top', 'pod', 'nope')).stderr, /Error from server \(NotFound\): podmetrics\.metrics\.k8s\.io "nope" not found/);
    assert.match((await kubectl('top', 'pod', 'pending')).stderr, /Error from server \(NotFound\): podmetrics\.metrics\.k8s\.io "default\/pending" not found/);
    assert.match((await kubectl('top', 'pod', '-l', 'app=pending')).stderr, /error: metrics not available yet/);
    assert.match((await kubectl('top', 'node', 'nope')).stderr, /Error from server \(NotFound\): nodemetrics\.metrics\.k8s\.io "nope" not found/);
    assert.match((await kubectl('top', 'node', 'dead-node')).stderr, /nodemetrics\.metrics\.k8s\.io "dead-node" not found/);
    assert.match((await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%20b')).stderr, /Error from server \(BadRequest\)/);
    assert.match((await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx')).stderr,
      /"spec.nodeName" is not a known field selector/);
    assert.match((await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/test-node/status')).stderr, /NotFound/);
  });

  test('writes and watches are 405 MethodNotAllowed', async () => {
    const file = join(dir, 'nm.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name: 'x' } }));
    const create = await kubectl('create', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes', '-f', file);
    assert.match(create.stderr, /MethodNotAllowed|not allow|not supported/);
    const del = await kubectl('delete', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/test-node');
    assert.match(del.stderr, /MethodNotAllowed|not allow|not supported/);
    const watch = await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true');
    assert.match(watch.stderr, /MethodNotAllowed|not allow|not supported/);
  });
});
