/**
 * @module Real kubectl through the API server's node proxy to the node agent's API, on a private
 * containerd: logs (-f, --previous, --tail, errors), exec (exit codes, stdin, WebSocket and the
 * SPDY fallback), cp both ways, port-forward (tunnelled and plain SPDY). The pods are run through
 * CRI directly with the kubelet's labels; their Pod and Node objects are written as a kubelet would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupResource } from '../../api/scheme.js';
import { writeAdminKubeconfig } from '../../cli/kubeconfig.js';
import { startKubeletServer, type KubeletServer } from '../../kubelet/server/server.js';
import { startTestPods, type TestPods } from '../../kubelet/server/testkit.js';
import { openStore } from '../../storage/factory.js';
import type { Store } from '../../storage/store.js';
import { builtinAdmission } from '../admission/index.js';
import { ensureSystemNamespaces } from '../bootstrap.js';
import { LocalClient } from '../local-client.js';
import { startApiServer, type ApiServer } from '../server.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const pods = { type: lookupResource('', 'v1', 'pods')!, namespace: 'default' };
const nodes = { type: lookupResource('', 'v1', 'nodes')! };

interface Run { code: number; stdout: string; stderr: string }

describe('kubectl logs, exec, cp and port-forward through the API server', () => {
  let fx: TestPods;
  let kubelet: KubeletServer;
  let store: Store;
  let api: ApiServer;
  let dir: string;
  let kubeconfig: string;
  let client: LocalClient;

  function kubectl(args: string[], o: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
    return new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        timeout: o.timeoutMs ?? 60_000, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...o.env },
      }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      });
      child.stdin?.end(o.input ?? '');
    });
  }

  /** A Pod bound to the test node, its containers run through CRI, and a Running status as the kubelet reports it. */
  async function runningPod(name: string, containers: { name: string; command: string[]; stdin?: boolean }[]): Promise<void> {
    const created = await client.create(pods, { metadata: { name, namespace: 'default' }, spec: {
      nodeName: 'test-node', containers: containers.map((c) => ({ name: c.name, image: 'tugboat.local/busybox:1', command: c.command, stdin: c.stdin })) } });
    await fx.runPod({ name, uid: created.metadata.uid, containers });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await client.updateStatus(pods, { ...created, status: { phase: 'Running', podIP: '10.0.0.1', startTime: now,
      containerStatuses: containers.map((c) => ({ name: c.name, ready: true, restartCount: 0, image: 'tugboat.local/busybox:1', imageID: '',
        containerID: `containerd://${c.name}`, state: { running: { startedAt: now } } })) } });
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-node-proxy-'));
    fx = await startTestPods();
    kubelet = await startKubeletServer({ runtime: fx.runtime, port: 0, host: '127.0.0.1',
      tls: { cert: fx.serving.cert, key: fx.serving.key, ca: fx.pki.ca.cert }, log: quiet });
    store = await openStore({ dataDir: dir, watchCache: true });
    api = await startApiServer({ store, admission: builtinAdmission, pki: fx.pki, host: '127.0.0.1', port: 0,
      kubeletClient: { ca: fx.pki.ca.cert, ...fx.kubeletClient } });
    await ensureSystemNamespaces(api.registry);
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeAdminKubeconfig(kubeconfig, { server: `https://127.0.0.1:${api.port}`, caPem: fx.pki.ca.cert,
      certPem: fx.pki.admin.cert, keyPem: fx.pki.admin.key });
    client = new LocalClient(api.registry, 'test');
    const node = await client.create(nodes, { metadata: { name: 'test-node' } });
    await client.updateStatus(nodes, { ...node, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } });
    await runningPod('web', [
      { name: 'main', command: ['sh', '-c', 'echo hello from main; i=1; while [ $i -le 3 ]; do echo line $i; i=$((i+1)); done; nc -ll -p 8080 -e cat'] },
      { name: 'side', command: ['sh', '-c', 'echo side; sleep 100000'] },
    ]);
    for (let i = 0; i < 100 && !(await kubectl(['logs', 'web', '-c', 'main'])).stdout.includes('line 3'); i++) await sleep(50);
  });
  after(async () => {
    await api?.close();
    await store?.close();
    await kubelet?.close();
    await fx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('kubectl logs: a container, --tail, --timestamps, --limit-bytes', async () => {
    assert.deepEqual(await kubectl(['logs', 'web', '-c', 'main']), { code: 0, stdout: 'hello from main\nline 1\nline 2\nline 3\n', stderr: '' });
    assert.equal((await kubectl(['logs', 'web', '-c', 'main', '--tail', '1'])).stdout, 'line 3\n');
    assert.match((await kubectl(['logs', 'web', '-c', 'main', '--tail', '1', '--timestamps'])).stdout, /^\d{4}-\d\d-\d\dT[\d:.]{18}Z line 3\n$/);
    assert.equal((await kubectl(['logs', 'web', '-c', 'main', '--limit-bytes', '5'])).stdout, 'hello');
    assert.equal((await kubectl(['logs', 'web', '-c', 'side'])).stdout, 'side\n');
  });

  test('kubectl logs errors read as upstream', async () => {
    const prev = await kubectl(['logs', 'web', '-c', 'main', '--previous']);
    assert.equal(prev.code, 1);
    assert.match(prev.stderr, /Error from server \(BadRequest\): previous terminated container "main" in pod "web" not found/);
    assert.match((await kubectl(['logs', 'web', '-c', 'nope'])).stderr, /container nope is not valid for pod web/);
    const raw = await kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web/log']);
    assert.match(raw.stderr, /a container name must be specified for pod web, choose one of: \[main side\]/);
    await client.create(pods, { metadata: { name: 'pending', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    assert.match((await kubectl(['logs', 'pending'])).stderr, /pod pending does not have a host assigned/);
    const waiting = await client.create(pods, { metadata: { name: 'waiting', namespace: 'default' }, spec: { nodeName: 'test-node', containers: [{ name: 'c', image: 'x' }] } });
    await client.updateStatus(pods, { ...waiting, status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0,
      image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] } });
    assert.match((await kubectl(['logs', 'waiting'])).stderr, /container "c" in pod "waiting" is waiting to start: ContainerCreating/);
  });

  test('a node whose agent does not answer is a 503 naming the dial error', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const node = await client.create(nodes, { metadata: { name: 'dead-node' } });
    await client.updateStatus(nodes, { ...node, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: deadPort } } } });
    await client.create(pods, { metadata: { name: 'stranded', namespace: 'default' }, spec: { nodeName: 'dead-node', containers: [{ name: 'c', image: 'x' }] } });
    const logs = await kubectl(['logs', 'stranded']);
    assert.match(logs.stderr, /Error from server \(ServiceUnavailable\): error dialing backend: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    const exec = await kubectl(['exec', 'stranded', '--', 'true']);
    assert.notEqual(exec.code, 0);
    assert.match(exec.stderr, /error dialing backend/);
    await client.create(nodes, { metadata: { name: 'hollow-node' } });
    await client.create(pods, { metadata: { name: 'on-hollow', namespace: 'default' }, spec: { nodeName: 'hollow-node', containers: [{ name: 'c', image: 'x' }] } });
    assert.match((await kubectl(['logs', 'on-hollow'])).stderr, /no node agent is connected for node "hollow-node"/);
  });

  test('kubectl logs -f follows until the container exits', async () => {
    await runningPod('ticker', [{ name: 'c', command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done'] }]);
    const r = await kubectl(['logs', '-f', 'ticker'], { timeoutMs: 20_000 });
    assert.deepEqual(r, { code: 0, stdout: 'tick 1\ntick 2\ntick 3\n', stderr: '' });
  });

  test('kubectl exec: output, the command\'s exit code, stdin — over WebSocket and the SPDY fallback', async () => {
    for (const env of [{}, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }] as Record<string, string>[]) {
      assert.deepEqual(await kubectl(['exec', 'web', '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2'], { env }),
        { code: 0, stdout: 'out\n', stderr: 'err\n' });
      const failed = await kubectl(['exec', 'web', '-c', 'main', '--', 'sh', '-c', 'exit 3'], { env });
      assert.equal(failed.code, 3, JSON.stringify({ env, failed }));
      const cat = await kubectl(['exec', '-i', 'web', '-c', 'main', '--', 'wc', '-c'], { env, input: Buffer.alloc(100_000, 'x') });
      assert.equal(cat.stdout.trim(), '100000', JSON.stringify(env));
    }
    const missing = await kubectl(['exec', 'web', '-c', 'main', '--', 'no-such-command']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no-such-command/);
  });

  test('kubectl exec -it gets a terminal of the right size', async () => {
    const r = await new Promise<string>((resolve) => {
      // script(1) gives kubectl a pseudo-terminal, as a person's shell would; kubectl sends its size as the
      // first resize, which may land just after the command starts, hence the short sleep.
      execFile('script', ['-qec', `stty rows 33 cols 111; kubectl --kubeconfig ${kubeconfig} exec -it web -c main -- sh -c 'sleep 0.5; stty size'`, '/dev/null'],
        { timeout: 30_000 }, (_err, stdout) => resolve(String(stdout)));
    });
    assert.match(r, /33 111/);
  });

  test('kubectl attach -i talks to the container\'s own stdin and stdout', async () => {
    await runningPod('talker', [{ name: 'c', command: ['sh', '-c', 'while read l; do echo got $l; done'], stdin: true }]);
    const attach = spawn('kubectl', ['--kubeconfig', kubeconfig, 'attach', '-i', 'talker']);
    try {
      let out = '';
      const got = new Promise<void>((resolve) => attach.stdout.on('data', (c: Buffer) => {
        out += c;
        if (out.includes('got hello')) resolve();
      }));
      attach.stdin.write('hello\n');
      await Promise.race([got, sleep(20_000)]);
      assert.match(out, /got hello/);
    } finally {
      attach.kill();
    }
  });

  test('kubectl cp copies files into the container and back', async () => {
    const content = randomBytes(3 * 1024 * 1024);
    await writeFile(join(dir, 'up.bin'), content);
    const up = await kubectl(['cp', join(dir, 'up.bin'), 'default/web:/tmp/up.bin', '-c', 'main']);
    assert.equal(up.code, 0, up.stderr);
    const down = await kubectl(['cp', 'default/web:/tmp/up.bin', join(dir, 'down.bin'), '-c', 'main']);
    assert.equal(down.code, 0, down.stderr);
    assert.ok((await readFile(join(dir, 'down.bin'))).equals(content));
  });

  test('kubectl port-forward reaches the pod, tunnelled in WebSocket and over plain SPDY', async () => {
    for (const env of [{}, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }] as Record<string, string>[]) {
      const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/web', ':8080'], { env: { ...process.env, ...env } });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          pf.stdout.on('data', (c: Buffer) => {
            out += c;
            const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          pf.stderr.on('data', (c: Buffer) => { out += c; });
          pf.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
        });
        for (const text of ['first connection', 'second connection']) assert.equal(await echo(port, text), text);
      } finally {
        pf.kill();
      }
    }
  });
});

/** Sends text to the echo server behind a forwarded port and reads it back. */
function echo(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (c) => {
      got += c;
      if (got.length >= text.length) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    setTimeout(() => { s.destroy(); reject(new Error(`no echo within 10 s (got ${JSON.stringify(got)})`)); }, 10_000).unref();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
