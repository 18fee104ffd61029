/** @module The runtime conformance suite against FakeRuntime, and the fake's own test hooks. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Code } from './errors.js';
import { criLogLines, FakeRuntime, normalizeImageRef, type FakeProgram } from './fake.js';
import { runRuntimeConformance, type Program } from './runtime.conformance.js';
import { CRIError, type ContainerConfig, type PodSandboxConfig } from './types.js';

const IMAGE = 'tugboat.local/busybox:1';
const UNPULLABLE = 'tugboat.local/absent:1';

/** The fake harness encodes a Program as the command; the fake's program and exec hooks decode it. */
const encode = (p: Program): string[] => ['fake-program', JSON.stringify(p)];
const decode = (cmd: string[] | undefined): Program | undefined => (cmd?.[0] === 'fake-program' ? JSON.parse(cmd[1]) : undefined);

function programOf(config: ContainerConfig): FakeProgram | undefined {
  const p = decode(config.command);
  switch (p?.kind) {
    case 'print': return { stdout: p.stdout, stderr: p.stderr, exit: { code: p.exitCode } };
    case 'oom': return { exit: { code: 137, reason: 'OOMKilled' } };
    case 'missing-executable': return { startError: 'runc create failed: unable to start container process: exec: "/no/such/executable": no such file or directory' };
    default: return undefined;
  }
}

describe('FakeRuntime conformance', () => {
  runRuntimeConformance(async () => {
    const logRoot = await mkdtemp(join(tmpdir(), 'tugboat-fake-cri-'));
    const runtime = new FakeRuntime({ podCIDR: '10.88.0.0/24', images: [IMAGE], program: programOf });
    runtime.failPull(UNPULLABLE);
    runtime.onExec(async (_id, cmd) => {
      const p = decode(cmd);
      if (p?.kind === 'print') return { stdout: p.stdout, stderr: p.stderr, exitCode: p.exitCode };
      if (p?.kind === 'sleep') await new Promise((r) => setTimeout(r, (p.seconds ?? 3600) * 1000).unref());
      return { exitCode: 0 };
    });
    return {
      runtime, image: IMAGE, unpullableImage: UNPULLABLE, podCIDR: '10.88.0.0/24', logRoot, cgroupRoot: '/tugboat-fake',
      command: encode,
      close: () => rm(logRoot, { recursive: true, force: true }),
    };
  });
});

const sandbox = (name: string, logDirectory = ''): PodSandboxConfig => ({
  metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
  hostname: name,
  logDirectory,
  labels: { 'io.kubernetes.pod.name': name },
});
const container = (name: string, attempt = 0, image = IMAGE): ContainerConfig =>
  ({ metadata: { name, attempt }, image: { image }, logPath: `${name}/${attempt}.log`, labels: { 'io.kubernetes.container.name': name } });

async function running(f: FakeRuntime, name = 'app', logDirectory = '') {
  const sb = sandbox(`pod-${name}`, logDirectory);
  const sandboxId = await f.runPodSandbox(sb);
  const id = await f.createContainer(sandboxId, container(name), sb);
  await f.startContainer(id);
  return { sandboxId, id, sb };
}

describe('FakeRuntime hooks', () => {
  test('exit() ends a running container with the code, "Completed"/"Error" or a given reason', async () => {
    const f = new FakeRuntime({ images: [IMAGE], now: () => 1_700_000_000_000 });
    const a = await running(f, 'a');
    const b = await running(f, 'b');
    const c = await running(f, 'c');
    f.exit(a.id, 0);
    f.exit(b.id, 2);
    f.exit(c.id, 137, 'OOMKilled', 'out of memory');
    const s = await Promise.all([a, b, c].map((x) => f.containerStatus(x.id)));
    assert.deepEqual(s.map((x) => [x.state, x.exitCode, x.reason]), [
      ['CONTAINER_EXITED', 0, 'Completed'], ['CONTAINER_EXITED', 2, 'Error'], ['CONTAINER_EXITED', 137, 'OOMKilled']]);
    assert.equal(s[2].message, 'out of memory');
    assert.throws(() => f.exit(a.id, 1), /not running/);
    assert.throws(() => f.exit('nope', 1), /no container/);
  });

  test('with a frozen clock timestamps still increase, so the newest container is the last created', async () => {
    const f = new FakeRuntime({ images: [IMAGE], now: () => 1_700_000_000_000 });
    const { sandboxId, sb } = await running(f);
    const a = await f.createContainer(sandboxId, container('x', 1), sb);
    const b = await f.createContainer(sandboxId, container('x', 2), sb);
    const [sa, sbs] = [await f.containerStatus(a), await f.containerStatus(b)];
    assert.ok(BigInt(sbs.createdAt) > BigInt(sa.createdAt), `${sbs.createdAt} after ${sa.createdAt}`);
    assert.equal(sa.createdAt.slice(0, 13), '1700000000000');
  });

  test('a program exits after its delay, writing its output to the log first', async () => {
    const logRoot = await mkdtemp(join(tmpdir(), 'tugboat-fake-cri-'));
    try {
      const f = new FakeRuntime({ images: [IMAGE], program: (c) => (c.metadata.name === 'job' ? { stdout: 'done\n', exit: { code: 0, afterMs: 20 } } : undefined) });
      const sb = sandbox('p', join(logRoot, 'p'));
      const sandboxId = await f.runPodSandbox(sb);
      const id = await f.createContainer(sandboxId, container('job'), sb);
      await f.startContainer(id);
      assert.equal((await f.containerStatus(id)).state, 'CONTAINER_RUNNING');
      await new Promise((r) => setTimeout(r, 60));
      const s = await f.containerStatus(id);
      assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 0, 'Completed']);
      assert.match(await readFile(s.logPath, 'utf8'), /^\S+ stdout F done\n$/);
    } finally {
      await rm(logRoot, { recursive: true, force: true });
    }
  });

  test('removing a container before its program ends cancels the exit', async () => {
    const f = new FakeRuntime({ images: [IMAGE], program: () => ({ exit: { code: 1, afterMs: 10 } }) });
    const { id, sandboxId } = await running(f);
    await f.removePodSandbox(sandboxId);
    await new Promise((r) => setTimeout(r, 30));
    await assert.rejects(f.containerStatus(id), (e) => e instanceof CRIError && e.code === Code.NotFound);
  });

  test('setStopExitCode: a container that handles SIGTERM stops with 0 "Completed"', async () => {
    const f = new FakeRuntime({ images: [IMAGE] });
    const { id } = await running(f);
    f.setStopExitCode(id, 0);
    await f.stopContainer(id, 30);
    const s = await f.containerStatus(id);
    assert.deepEqual([s.exitCode, s.reason], [0, 'Completed']);
  });

  test('failPull fails the given number of pulls, then the image pulls and is present', async () => {
    const f = new FakeRuntime();
    f.failPull('registry.local/app:1', 'failed to pull: unauthorized', 2);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(f.pullImage({ image: 'registry.local/app:1' }), (e) => e instanceof CRIError && e.message === 'PullImage: failed to pull: unauthorized');
    }
    const ref = await f.pullImage({ image: 'registry.local/app:1' });
    const img = await f.imageStatus({ image: 'registry.local/app:1' });
    assert.equal(img?.id, ref);
    assert.equal(img?.repoDigests.length, 1);
    assert.equal(f.count('PullImage'), 3);
    assert.equal(f.count('ImageStatus'), 1);
  });

  test('failCreateContainer fails creates of that container name until cleared', async () => {
    const f = new FakeRuntime({ images: [IMAGE] });
    const sb = sandbox('p');
    const sandboxId = await f.runPodSandbox(sb);
    f.failCreateContainer('app', 'failed to create containerd container: boom');
    await assert.rejects(f.createContainer(sandboxId, container('app'), sb), /boom/);
    await f.createContainer(sandboxId, container('other'), sb);
    f.clearFailures();
    await f.createContainer(sandboxId, container('app'), sb);
  });

  test('onExec scripts ExecSync; a handler may throw a CRIError', async () => {
    const f = new FakeRuntime({ images: [IMAGE] });
    const { id } = await running(f);
    assert.deepEqual(await f.execSync(id, ['true'], 1), { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
    f.onExec((_id, cmd) => {
      if (cmd[0] === 'missing') throw new CRIError('ExecSync', Code.Unknown, 'executable file not found in $PATH');
      return { stdout: cmd.join(' '), exitCode: 1 };
    });
    const r = await f.execSync(id, ['cat', '/ready'], 1);
    assert.deepEqual([r.stdout.toString(), r.exitCode], ['cat /ready', 1]);
    await assert.rejects(f.execSync(id, ['missing'], 1), /not found in \$PATH/);
  });

  test('log() appends CRI records to the container log; setUsage feeds ListContainerStats', async () => {
    const logRoot = await mkdtemp(join(tmpdir(), 'tugboat-fake-cri-'));
    try {
      const f = new FakeRuntime({ images: [IMAGE], now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 678) });
      const { id } = await running(f, 'app', join(logRoot, 'p'));
      f.log(id, 'a\nb');
      f.log(id, 'c\n', 'stderr');
      const lines = (await readFile((await f.containerStatus(id)).logPath, 'utf8')).split('\n');
      assert.deepEqual(lines.map((l) => l.split(' ').slice(1).join(' ')), ['stdout F a', 'stdout P b', 'stderr F c', '']);
      assert.match(lines[0], /^2024-01-02T03:04:05\.678\d*Z /);
      f.setUsage(id, { cpuCoreNanoSeconds: 5e9, memoryWorkingSetBytes: 1 << 20 });
      const [s] = await f.listContainerStats({ id });
      assert.deepEqual([s.cpu?.usageCoreNanoSeconds?.value, s.memory?.workingSetBytes?.value], ['5000000000', '1048576']);
    } finally {
      await rm(logRoot, { recursive: true, force: true });
    }
  });

  test('writeLogs off: no files are made (hollow nodes), and log() says why it cannot write', async () => {
    const f = new FakeRuntime({ images: [IMAGE], writeLogs: false });
    const { id } = await running(f, 'app', '/nonexistent/should-not-be-created');
    assert.throws(() => f.log(id, 'x'), /no log file/);
  });

  test('pod IPs are handed out round robin and run out with the error host-local gives', async () => {
    const f = new FakeRuntime({ podCIDR: '192.168.7.0/29' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await f.runPodSandbox(sandbox(`p${i}`)));
    const ips = await Promise.all(ids.map(async (id) => (await f.podSandboxStatus(id)).network?.ip));
    assert.deepEqual(ips, ['192.168.7.2', '192.168.7.3', '192.168.7.4', '192.168.7.5', '192.168.7.6']);
    await assert.rejects(f.runPodSandbox(sandbox('p5')), /no IP addresses available in range set: 192\.168\.7\.1-192\.168\.7\.6/);
    await f.stopPodSandbox(ids[1]);
    const again = await f.runPodSandbox(sandbox('p6'));
    assert.equal((await f.podSandboxStatus(again)).network?.ip, '192.168.7.3');
    assert.throws(() => new FakeRuntime({ podCIDR: '10.0.0.0/33' }), /IPv4 CIDR/);
    assert.throws(() => new FakeRuntime({ podCIDR: 'ten' }), /IPv4 CIDR/);
  });

  test('setCondition changes what Status reports', async () => {
    const f = new FakeRuntime();
    f.setCondition('NetworkReady', false, 'NetworkPluginNotReady', 'cni config uninitialized');
    const net = (await f.status()).conditions.find((c) => c.type === 'NetworkReady');
    assert.deepEqual(net, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni config uninitialized' });
  });

  test('UpdateContainerResources merges into the resources the container was created with', async () => {
    const f = new FakeRuntime({ images: [IMAGE] });
    const sb = sandbox('p');
    const sandboxId = await f.runPodSandbox(sb);
    const id = await f.createContainer(sandboxId, { ...container('app'), linux: { resources: { cpuShares: 2, memoryLimitInBytes: 100 } } }, sb);
    await f.updateContainerResources(id, { memoryLimitInBytes: 200 });
    assert.deepEqual(f.resourcesOf(id), { cpuShares: 2, memoryLimitInBytes: 200 });
  });
});

describe('image names and log records', () => {
  const cases: { name: string; ref: string; want: string }[] = [
    { name: 'a bare name is a Docker Hub library image with tag latest', ref: 'busybox', want: 'docker.io/library/busybox:latest' },
    { name: 'a user image on Docker Hub', ref: 'me/app:2', want: 'docker.io/me/app:2' },
    { name: 'a registry with a port keeps its name', ref: '127.0.0.1:5000/app', want: '127.0.0.1:5000/app:latest' },
    { name: 'a domain keeps its name and tag', ref: 'tugboat.local/busybox:1', want: 'tugboat.local/busybox:1' },
    { name: 'a digest gets no tag', ref: 'busybox@sha256:abc', want: 'docker.io/library/busybox@sha256:abc' },
    { name: 'localhost is a registry', ref: 'localhost/app', want: 'localhost/app:latest' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(normalizeImageRef(c.ref), c.want));

  test('a line longer than 16 KiB is split into partial records, the last one full', () => {
    const text = `${'x'.repeat(16 * 1024 + 5)}\n`;
    const records = criLogLines(text, 'stdout', 'T').split('\n').filter(Boolean).map((l) => `${l.split(' ')[2]} ${l.split(' ')[3].length}`);
    assert.deepEqual(records, ['P 16384', 'F 5']);
    assert.equal(criLogLines('\n', 'stderr', 'T'), 'T stderr F \n');
  });
});
