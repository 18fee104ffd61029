/**
 * @module What the kubelet relies on from a container runtime, as one shared suite run against
 * both implementations: the fake (fake.test.ts) and containerd through the gRPC client
 * (client.test.ts). Each harness says how to make a container do a `Program`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Code } from './errors.js';
import {
  CRIError, Labels,
  type ContainerConfig, type ContainerStatus, type ImageService, type PodSandboxConfig, type RuntimeService,
} from './types.js';

/** What a container (or an ExecSync command) does; a harness turns it into a command. */
export type Program =
  /** Runs until stopped (or for `seconds`). */
  | { kind: 'sleep'; seconds?: number }
  /** Writes `stdout` and `stderr` as given (no newline added), then exits with `exitCode`. */
  | { kind: 'print'; stdout: string; stderr: string; exitCode: number }
  /** Allocates memory until its memory limit kills it. */
  | { kind: 'oom' }
  /** Names an executable that is not in the image. */
  | { kind: 'missing-executable' };

export interface RuntimeHarness {
  runtime: RuntimeService & ImageService;
  /** An image the runtime has, with busybox in it. */
  image: string;
  /** An image the runtime lacks and cannot pull (without traffic off the machine). */
  unpullableImage: string;
  /** Pod IPs come from this IPv4 /24 (e.g. "10.88.0.0/24"). */
  podCIDR: string;
  /** A private directory; the sandboxes' log directories go below it. */
  logRoot: string;
  /** cgroupfs parent for the suite's pods (e.g. "/tugboat-test-1a2b"); the harness removes it. */
  cgroupRoot: string;
  command(p: Program): string[];
  /** Releases what the harness made; the suite has removed its sandboxes by then. */
  close(): Promise<void>;
}

/** The busybox commands for each Program, for harnesses over a real runtime. */
export function busyboxCommand(p: Program): string[] {
  switch (p.kind) {
    case 'sleep': return ['sleep', String(p.seconds ?? 3600)];
    case 'print': return ['sh', '-c', `printf %s ${shq(p.stdout)}; printf %s ${shq(p.stderr)} >&2; exit ${p.exitCode}`];
    case 'oom': return ['tail', '/dev/zero'];
    case 'missing-executable': return ['/no/such/executable'];
  }
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// Every assert.ok here carries a message: without one, a failing assert.ok re-reads and parses
// the calling source to describe itself, which under tsx took minutes.
const NS = 'conformance';
const MEMORY_LIMIT = 16 * 1024 * 1024;

export function runRuntimeConformance(start: () => Promise<RuntimeHarness>): void {
  let h: RuntimeHarness;
  let rt: RuntimeService & ImageService;
  const sandboxes: string[] = [];

  before(async () => { h = await start(); rt = h.runtime; });
  after(async () => {
    if (!h) return;
    try {
      for (const id of sandboxes) {
        await rt.stopPodSandbox(id).catch(ignoreNotFound);
        await rt.removePodSandbox(id);
      }
    } finally {
      await h.close();
    }
  });

  const sandboxConfig = (name: string, o: { hostNetwork?: boolean } = {}): PodSandboxConfig => {
    const uid = `${name}-${randomBytes(4).toString('hex')}`;
    return {
      metadata: { name, uid, namespace: NS, attempt: 0 },
      hostname: o.hostNetwork ? '' : name,
      logDirectory: join(h.logRoot, `${NS}_${name}_${uid}`),
      labels: { [Labels.podName]: name, [Labels.podNamespace]: NS, [Labels.podUID]: uid },
      annotations: { 'tugboat.dev/test': name },
      linux: {
        cgroupParent: `${h.cgroupRoot}/pod${uid}`,
        securityContext: { namespaceOptions: { network: o.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
  };

  const runSandbox = async (name: string, o: { hostNetwork?: boolean } = {}) => {
    const config = sandboxConfig(name, o);
    const id = await rt.runPodSandbox(config);
    sandboxes.push(id);
    return { id, config };
  };

  const containerConfig = (sb: PodSandboxConfig, name: string, p: Program, o: { attempt?: number; memoryLimit?: number } = {}): ContainerConfig => {
    const attempt = o.attempt ?? 0;
    return {
      metadata: { name, attempt },
      image: { image: h.image },
      command: h.command(p),
      logPath: `${name}/${attempt}.log`,
      labels: { ...sb.labels, [Labels.containerName]: name },
      annotations: { 'io.kubernetes.container.restartCount': String(attempt) },
      linux: {
        resources: o.memoryLimit ? { memoryLimitInBytes: o.memoryLimit } : {},
        securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
  };

  const startContainer = async (sb: { id: string; config: PodSandboxConfig }, name: string, p: Program, o: { attempt?: number; memoryLimit?: number } = {}) => {
    const id = await rt.createContainer(sb.id, containerConfig(sb.config, name, p, o), sb.config);
    await rt.startContainer(id);
    return id;
  };

  const exited = (id: string): Promise<ContainerStatus> =>
    waitFor(async () => { const s = await rt.containerStatus(id); return s.state === 'CONTAINER_EXITED' ? s : undefined; }, `container ${id} to exit`);

  test('Version speaks CRI v1 and Status reports RuntimeReady and NetworkReady', async () => {
    const v = await rt.version();
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.ok(v.runtimeName && v.runtimeVersion, `version ${JSON.stringify(v)}`);
    const conditions = Object.fromEntries((await rt.status()).conditions.map((c) => [c.type, c.status]));
    assert.deepEqual(conditions, { RuntimeReady: true, NetworkReady: true });
  });

  test('ImageStatus finds a present image by name and by id, answers undefined for an absent one; ListImages lists it', async () => {
    const img = await rt.imageStatus({ image: h.image });
    assert.ok(img, `${h.image} should be present`);
    assert.match(img.id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(img.repoTags.includes(h.image), `repoTags ${img.repoTags} should include ${h.image}`);
    assert.ok(Number(img.size) > 0, `size ${img.size}`);
    assert.equal((await rt.imageStatus({ image: img.id }))?.id, img.id);
    assert.equal(await rt.imageStatus({ image: h.unpullableImage }), undefined);
    assert.ok((await rt.listImages()).some((i) => i.id === img.id), `ListImages should list ${img.id}`);
    const [fs] = await rt.imageFsInfo();
    // containerd samples snapshot usage every few seconds: a fresh runtime may still say 0.
    assert.ok(/^\d+$/.test(fs.usedBytes) && fs.mountpoint, `ImageFsInfo ${JSON.stringify(fs)}`);
  });

  test('PullImage of an image that cannot be fetched fails with a CRIError and leaves it absent', async () => {
    await assert.rejects(rt.pullImage({ image: h.unpullableImage }), (e) => e instanceof CRIError && e.method === 'PullImage' && e.code === Code.Unknown);
    assert.equal(await rt.imageStatus({ image: h.unpullableImage }), undefined);
    // Removing an image that is not there is not an error.
    await rt.removeImage({ image: h.unpullableImage });
  });

  test('a sandbox runs READY with an IP from the pod CIDR and keeps its metadata, labels and annotations', async () => {
    const sb = await runSandbox('ready');
    const s = await rt.podSandboxStatus(sb.id);
    assert.equal(s.id, sb.id);
    assert.equal(s.state, 'SANDBOX_READY');
    assert.deepEqual(s.metadata, sb.config.metadata);
    assert.deepEqual(s.labels, sb.config.labels);
    assert.deepEqual(s.annotations, sb.config.annotations);
    assert.ok(BigInt(s.createdAt) > 0n, `createdAt ${s.createdAt}`);
    assert.ok(inCIDR(s.network?.ip ?? '', h.podCIDR), `ip ${s.network?.ip} should be in ${h.podCIDR}`);
    // The prefix of an id names the sandbox too.
    assert.equal((await rt.podSandboxStatus(sb.id.slice(0, 12))).id, sb.id);
  });

  test('sandboxes are listed by id, state and label selector', async () => {
    const a = await runSandbox('list-a');
    const b = await runSandbox('list-b');
    await rt.stopPodSandbox(b.id);
    const ids = async (f: Parameters<RuntimeService['listPodSandbox']>[0]) => (await rt.listPodSandbox(f)).map((s) => s.id).filter((id) => id === a.id || id === b.id).sort();
    assert.deepEqual(await ids(undefined), [a.id, b.id].sort());
    assert.deepEqual(await ids({ id: a.id }), [a.id]);
    assert.deepEqual(await ids({ state: { state: 'SANDBOX_READY' } }), [a.id]);
    assert.deepEqual(await ids({ state: { state: 'SANDBOX_NOTREADY' } }), [b.id]);
    assert.deepEqual(await ids({ labelSelector: { [Labels.podName]: 'list-b', [Labels.podNamespace]: NS } }), [b.id]);
    assert.deepEqual(await ids({ labelSelector: { [Labels.podName]: 'list-b', [Labels.podNamespace]: 'elsewhere' } }), []);
    const listed = (await rt.listPodSandbox({ id: a.id }))[0];
    assert.deepEqual(listed.metadata, a.config.metadata);
    assert.deepEqual(listed.labels, a.config.labels);
  });

  test('StopPodSandbox kills its containers, makes it NOTREADY without an IP and may be repeated; RemovePodSandbox removes it with its containers, also twice', async () => {
    const sb = await runSandbox('stop');
    const c = await startContainer(sb, 'app', { kind: 'sleep' });
    await rt.stopPodSandbox(sb.id);
    await rt.stopPodSandbox(sb.id);
    const s = await rt.podSandboxStatus(sb.id);
    assert.equal(s.state, 'SANDBOX_NOTREADY');
    assert.equal(s.network?.ip ?? '', '');
    const cs = await rt.containerStatus(c);
    assert.equal(cs.state, 'CONTAINER_EXITED');
    assert.equal(cs.exitCode, 137);
    await rt.removePodSandbox(sb.id);
    await rt.removePodSandbox(sb.id);
    await assert.rejects(rt.podSandboxStatus(sb.id), isCode(Code.NotFound));
    assert.deepEqual(await rt.listContainers({ podSandboxId: sb.id }), []);
    await assert.rejects(rt.containerStatus(c), isCode(Code.NotFound));
    await assert.rejects(rt.stopPodSandbox(sb.id), isCode(Code.NotFound));
  });

  test('a hostNetwork sandbox has no IP of its own', async () => {
    const sb = await runSandbox('hostnet', { hostNetwork: true });
    const s = await rt.podSandboxStatus(sb.id);
    assert.equal(s.state, 'SANDBOX_READY');
    assert.equal(s.network?.ip ?? '', '');
  });

  test('ten sandboxes started at once get ten distinct IPs', async () => {
    const sbs = await Promise.all(Array.from({ length: 10 }, (_, i) => runSandbox(`many-${i}`)));
    const ips = await Promise.all(sbs.map(async (sb) => (await rt.podSandboxStatus(sb.id)).network?.ip ?? ''));
    assert.equal(new Set(ips).size, 10);
    for (const ip of ips) assert.ok(inCIDR(ip, h.podCIDR), `${ip} in ${h.podCIDR}`);
  });

  test('a sandbox with the metadata of a live one is refused', async () => {
    const sb = await runSandbox('dup');
    await assert.rejects(rt.runPodSandbox(sb.config), isCode(Code.Unknown));
  });

  test('a container goes CREATED → RUNNING → EXITED through create, start and stop, and is removed', async () => {
    const sb = await runSandbox('lifecycle');
    const cfg = containerConfig(sb.config, 'app', { kind: 'sleep' });
    const id = await rt.createContainer(sb.id, cfg, sb.config);
    const image = await rt.imageStatus({ image: h.image });
    let s = await rt.containerStatus(id);
    assert.equal(s.state, 'CONTAINER_CREATED');
    assert.deepEqual(s.metadata, { name: 'app', attempt: 0 });
    assert.equal(s.startedAt, '0');
    assert.equal(s.finishedAt, '0');
    assert.equal(s.image.image, h.image);
    assert.equal(s.imageRef, image?.id);
    assert.deepEqual(s.labels, cfg.labels);
    assert.deepEqual(s.annotations, cfg.annotations);
    assert.equal(s.logPath, join(sb.config.logDirectory!, 'app/0.log'));
    assert.equal(s.reason, '');

    await rt.startContainer(id);
    s = await rt.containerStatus(id);
    assert.equal(s.state, 'CONTAINER_RUNNING');
    assert.ok(BigInt(s.startedAt) >= BigInt(s.createdAt), `startedAt ${s.startedAt} before createdAt ${s.createdAt}`);
    await assert.rejects(rt.startContainer(id), isCode(Code.Unknown));

    await rt.stopContainer(id, 0);
    await rt.stopContainer(id, 0);
    s = await rt.containerStatus(id);
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exitCode, 137);
    assert.equal(s.reason, 'Error');
    assert.ok(BigInt(s.finishedAt) >= BigInt(s.startedAt), `finishedAt ${s.finishedAt} before startedAt ${s.startedAt}`);

    await rt.removeContainer(id);
    await rt.removeContainer(id);
    await assert.rejects(rt.containerStatus(id), isCode(Code.NotFound));
    assert.deepEqual(await rt.listContainers({ podSandboxId: sb.id }), []);
  });

  test('ListContainers filters by sandbox, state and labels; a restart is newer by createdAt', async () => {
    const sb = await runSandbox('filters');
    const other = await runSandbox('filters-other');
    const first = await startContainer(sb, 'app', { kind: 'sleep' });
    await rt.stopContainer(first, 0);
    const second = await startContainer(sb, 'app', { kind: 'sleep' }, { attempt: 1 });
    const side = await startContainer(sb, 'side', { kind: 'sleep' });
    const elsewhere = await startContainer(other, 'app', { kind: 'sleep' });
    const ids = async (f: Parameters<RuntimeService['listContainers']>[0]) => (await rt.listContainers(f)).map((c) => c.id).sort();
    assert.deepEqual(await ids({ podSandboxId: sb.id }), [first, second, side].sort());
    assert.deepEqual(await ids({ podSandboxId: sb.id, state: { state: 'CONTAINER_RUNNING' } }), [second, side].sort());
    assert.deepEqual(await ids({ podSandboxId: sb.id, state: { state: 'CONTAINER_EXITED' } }), [first]);
    assert.deepEqual(await ids({ labelSelector: { [Labels.podUID]: sb.config.metadata.uid, [Labels.containerName]: 'app' } }), [first, second].sort());
    assert.deepEqual(await ids({ id: elsewhere }), [elsewhere]);
    const apps = await rt.listContainers({ labelSelector: { [Labels.podUID]: sb.config.metadata.uid, [Labels.containerName]: 'app' } });
    const byId = new Map(apps.map((c) => [c.id, c]));
    assert.ok(BigInt(byId.get(second)!.createdAt) > BigInt(byId.get(first)!.createdAt), 'the restart should be created later');
    assert.equal(byId.get(second)!.annotations['io.kubernetes.container.restartCount'], '1');
    assert.equal(byId.get(second)!.podSandboxId, sb.id);
    assert.deepEqual(byId.get(second)!.metadata, { name: 'app', attempt: 1 });
  });

  test('a container exiting 0 is Completed, non-zero is Error with its code', async () => {
    const sb = await runSandbox('exits');
    const ok = await startContainer(sb, 'ok', { kind: 'print', stdout: '', stderr: '', exitCode: 0 });
    const bad = await startContainer(sb, 'bad', { kind: 'print', stdout: '', stderr: '', exitCode: 3 });
    const [s0, s3] = await Promise.all([exited(ok), exited(bad)]);
    assert.deepEqual([s0.exitCode, s0.reason], [0, 'Completed']);
    assert.deepEqual([s3.exitCode, s3.reason], [3, 'Error']);
    // Only finishedAt is certain: containerd may record a fast exit before it records the start.
    assert.ok(BigInt(s3.finishedAt) > 0n, `finishedAt ${s3.finishedAt}`);
  });

  test('a container over its memory limit is OOMKilled with exit code 137', async () => {
    const sb = await runSandbox('oom');
    const id = await startContainer(sb, 'hog', { kind: 'oom' }, { memoryLimit: MEMORY_LIMIT });
    const s = await exited(id);
    assert.deepEqual([s.exitCode, s.reason], [137, 'OOMKilled']);
  });

  test('a command missing from the image fails StartContainer and leaves the container EXITED 128 "StartError"', async () => {
    const sb = await runSandbox('start-error');
    const id = await rt.createContainer(sb.id, containerConfig(sb.config, 'app', { kind: 'missing-executable' }), sb.config);
    await assert.rejects(rt.startContainer(id), isCode(Code.Unknown));
    const s = await rt.containerStatus(id);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 128, 'StartError']);
    assert.ok(s.message.length > 0, 'a StartError carries a message');
  });

  test('the log file holds one CRI-format record per line and stream; an unterminated last line is partial', async () => {
    const sb = await runSandbox('logs');
    const id = await startContainer(sb, 'app', { kind: 'print', stdout: 'hello\nworld\npartial', stderr: 'oops\n', exitCode: 0 });
    const s = await exited(id);
    const records = (await readFile(s.logPath, 'utf8')).split('\n').filter(Boolean).map((line) => {
      const m = /^(\S+) (stdout|stderr) (F|P) (.*)$/.exec(line);
      assert.ok(m, `CRI log line: ${JSON.stringify(line)}`);
      assert.match(m[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/);
      assert.ok(!Number.isNaN(Date.parse(m[1])), `timestamp ${m[1]}`);
      return { stream: m[2], tag: m[3], text: m[4] };
    });
    const of = (stream: string) => records.filter((r) => r.stream === stream).map((r) => `${r.tag} ${r.text}`);
    assert.deepEqual(of('stdout'), ['F hello', 'F world', 'P partial']);
    assert.deepEqual(of('stderr'), ['F oops']);
  });

  test('ExecSync returns stdout, stderr and the exit code, times out with DEADLINE_EXCEEDED, and refuses a container that is not running', async () => {
    const sb = await runSandbox('execsync');
    const id = await startContainer(sb, 'app', { kind: 'sleep' });
    const r = await rt.execSync(id, h.command({ kind: 'print', stdout: 'out\n', stderr: 'err\n', exitCode: 4 }), 10);
    assert.deepEqual([r.stdout.toString(), r.stderr.toString(), r.exitCode], ['out\n', 'err\n', 4]);
    const ok = await rt.execSync(id, h.command({ kind: 'print', stdout: '', stderr: '', exitCode: 0 }), 10);
    assert.equal(ok.exitCode, 0);
    await assert.rejects(rt.execSync(id, h.command({ kind: 'sleep', seconds: 30 }), 1), isCode(Code.DeadlineExceeded));
    await assert.rejects(rt.execSync(id, ['true'], -1), isCode(Code.InvalidArgument));
    await assert.rejects(rt.execSync('0'.repeat(64), ['true'], 1), isCode(Code.NotFound));
    await rt.stopContainer(id, 0);
    await assert.rejects(rt.execSync(id, ['true'], 1), isCode(Code.Unknown));
  });

  test('Exec, Attach and PortForward return streaming URLs; a request without a stream is refused', async () => {
    const sb = await runSandbox('streams');
    const id = await startContainer(sb, 'app', { kind: 'sleep' });
    const urls = [
      await rt.exec({ containerId: id, cmd: ['sh'], stdin: true, stdout: true, stderr: true }),
      await rt.attach({ containerId: id, stdout: true, stderr: true }),
      await rt.portForward({ podSandboxId: sb.id, port: [80] }),
    ];
    urls.forEach((u, i) => {
      const url = new URL(u);
      assert.match(url.protocol, /^https?:$/);
      assert.ok(url.pathname.startsWith(['/exec/', '/attach/', '/portforward/'][i]), u);
    });
    await assert.rejects(rt.exec({ containerId: id, cmd: ['sh'] }), isCode(Code.InvalidArgument));
    await assert.rejects(rt.exec({ containerId: id, cmd: ['sh'], tty: true, stdout: true, stderr: true }), isCode(Code.InvalidArgument));
    await assert.rejects(rt.exec({ containerId: 'f'.repeat(64), cmd: ['sh'], stdout: true }), isCode(Code.NotFound));
    await assert.rejects(rt.portForward({ podSandboxId: 'f'.repeat(64), port: [80] }), isCode(Code.NotFound));
    await rt.stopContainer(id, 0);
    await assert.rejects(rt.exec({ containerId: id, cmd: ['sh'], stdout: true }), isCode(Code.Unknown));
  });

  test('unknown ids: status, stop and start fail NOT_FOUND, remove succeeds', async () => {
    const unknown = 'e'.repeat(64);
    await assert.rejects(rt.containerStatus(unknown), isCode(Code.NotFound));
    await assert.rejects(rt.podSandboxStatus(unknown), isCode(Code.NotFound));
    await assert.rejects(rt.stopContainer(unknown, 0), isCode(Code.NotFound));
    await assert.rejects(rt.startContainer(unknown), isCode(Code.NotFound));
    await assert.rejects(rt.updateContainerResources(unknown, { cpuShares: 2 }), isCode(Code.NotFound));
    await assert.rejects(rt.reopenContainerLog(unknown), isCode(Code.NotFound));
    await rt.removeContainer(unknown);
    await rt.removePodSandbox(unknown);
    assert.deepEqual(await rt.listContainers({ podSandboxId: unknown }), []);
    assert.deepEqual(await rt.listContainerStats({ id: unknown }), []);
  });

  test('CreateContainer is refused for an unknown or stopped sandbox, a missing image, a taken name, or a config without metadata', async () => {
    const sb = await runSandbox('create-errors');
    const cfg = containerConfig(sb.config, 'app', { kind: 'sleep' });
    await assert.rejects(rt.createContainer('d'.repeat(64), cfg, sb.config), isCode(Code.NotFound));
    await assert.rejects(rt.createContainer(sb.id, { ...cfg, image: { image: h.unpullableImage } }, sb.config), isCode(Code.NotFound));
    await assert.rejects(rt.createContainer(sb.id, { ...cfg, metadata: undefined } as unknown as ContainerConfig, sb.config), isCode(Code.InvalidArgument));
    await assert.rejects(rt.createContainer(sb.id, cfg, {} as PodSandboxConfig), isCode(Code.InvalidArgument));
    await assert.rejects(rt.runPodSandbox({} as PodSandboxConfig), isCode(Code.InvalidArgument));
    await rt.createContainer(sb.id, cfg, sb.config);
    await assert.rejects(rt.createContainer(sb.id, cfg, sb.config), isCode(Code.Unknown));
    await rt.stopPodSandbox(sb.id);
    await assert.rejects(rt.createContainer(sb.id, { ...cfg, metadata: { name: 'late', attempt: 0 } }, sb.config), isCode(Code.NotFound));
  });

  test('ListContainerStats reports CPU and memory of running containers', async () => {
    const sb = await runSandbox('stats');
    const id = await startContainer(sb, 'app', { kind: 'sleep' });
    const stats = await rt.listContainerStats({ podSandboxId: sb.id });
    assert.equal(stats.length, 1);
    const [s] = stats;
    assert.equal(s.attributes.id, id);
    assert.deepEqual(s.attributes.metadata, { name: 'app', attempt: 0 });
    assert.equal(s.attributes.labels[Labels.containerName], 'app');
    assert.match(s.cpu?.usageCoreNanoSeconds?.value ?? '', /^\d+$/);
    assert.match(s.memory?.workingSetBytes?.value ?? '', /^\d+$/);
    assert.ok(BigInt(s.cpu!.timestamp) > 0n, `timestamp ${s.cpu?.timestamp}`);
  });

  test('UpdateContainerResources and ReopenContainerLog work on a running container; ReopenContainerLog refuses a stopped one', async () => {
    const sb = await runSandbox('update');
    const id = await startContainer(sb, 'app', { kind: 'sleep' });
    await rt.updateContainerResources(id, { cpuShares: 512, memoryLimitInBytes: 64 * 1024 * 1024 });
    await rt.reopenContainerLog(id);
    await rt.stopContainer(id, 0);
    await assert.rejects(rt.reopenContainerLog(id), isCode(Code.Unknown));
    await assert.rejects(rt.stopContainer(id, -1), isCode(Code.InvalidArgument));
  });
}

const isCode = (code: number) => (e: unknown) => {
  assert.ok(e instanceof CRIError, `want a CRIError, got ${e}`);
  assert.equal(e.code, code, `want code ${code}, got ${e.code}: ${e.message}`);
  return true;
};

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof CRIError && e.code === Code.NotFound)) throw e;
}

function inCIDR(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(net) / size);
}

/** Polls `check` every 50 ms until it returns a value; fails after 15 s. */
async function waitFor<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
