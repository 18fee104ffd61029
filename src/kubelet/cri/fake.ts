/**
 * @module An in-memory container runtime for the kubelet's unit tests and for hollow nodes:
 * sandboxes, containers and images with the state transitions, errors (gRPC codes and messages)
 * and log format containerd 1.6 shows, plus hooks to make containers exit, pulls or creates fail,
 * and exec probes answer. No processes, no timers unless asked; fast and deterministic.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkMetadata, checkSeconds, Code } from './errors.js';
import {
  CRIError,
  type AttachRequest, type AuthConfig, type Container, type ContainerConfig, type ContainerFilter,
  type ContainerState, type ContainerStats, type ContainerStatus, type ExecRequest, type ExecSyncResponse,
  type Image, type ImageService, type ImageSpec, type LinuxContainerResources, type PodSandbox,
  type PodSandboxConfig, type PodSandboxFilter, type PodSandboxState, type PodSandboxStatus,
  type PortForwardRequest, type RuntimeCondition, type RuntimeService, type RuntimeStatus, type VersionResponse,
} from './types.js';

/** What a fake container does once started (chosen per container by `FakeRuntimeOptions.program`). */
export interface FakeProgram {
  /** Written to the container's log file at start. */
  stdout?: string;
  stderr?: string;
  /** Exit with this code, `afterMs` after start (0: already exited when StartContainer returns). */
  exit?: { code: number; reason?: string; afterMs?: number };
  /** StartContainer fails with this message, as when the command is not in the image (exit 128, "StartError"). */
  startError?: string;
}

/** The answer of an exec handler; a handler may also throw a CRIError (e.g. command not found). */
export interface FakeExecResult { stdout?: string | Buffer; stderr?: string | Buffer; exitCode?: number }
export type FakeExecHandler = (containerId: string, cmd: string[]) => FakeExecResult | Promise<FakeExecResult>;

export interface FakeRuntimeOptions {
  /** Pod IPs are allocated from this IPv4 range, host-local style (round robin, .1 is the gateway). Default 10.88.0.0/24. */
  podCIDR?: string;
  /** Images present from the start (as if imported). */
  images?: string[];
  /** Milliseconds since the epoch; timestamps are derived from it (strictly increasing). Default Date.now. */
  now?: () => number;
  /** Write containers' log files under the sandbox's logDirectory (default true; hollow nodes turn it off). */
  writeLogs?: boolean;
  /** What each started container does (default: runs until stopped). */
  program?: (config: ContainerConfig) => FakeProgram | undefined;
  /** Base of the URLs Exec/Attach/PortForward return. Default http://127.0.0.1:10010 (nothing listens). */
  streamingBaseUrl?: string;
}

interface FakeSandbox {
  id: string;
  name: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  state: PodSandboxState;
  createdAt: string;
  ip: string;
}

interface FakeContainer {
  id: string;
  name: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
  resources?: LinuxContainerResources;
  stopExitCode?: number;
  usage: { cpuCoreNanoSeconds: number; memoryWorkingSetBytes: number };
  timer?: ReturnType<typeof setTimeout>;
}

interface Failure { message: string; code: number; times: number }

/** containerd splits log lines longer than this many bytes into partial ("P") records (the fake counts UTF-16 units). */
const MAX_LOG_LINE = 16 * 1024;
const IMAGE_SIZE = '2130552';

export class FakeRuntime implements RuntimeService, ImageService {
  private readonly sandboxes = new Map<string, FakeSandbox>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new Map<string, Image>();
  /** Reserved names (as containerd: a name is taken until its sandbox/container is removed) → id. */
  private readonly names = new Map<string, string>();
  private readonly pullFailures = new Map<string, Failure>();
  private readonly createFailures = new Map<string, Failure>();
  private readonly counts = new Map<string, number>();
  private readonly ipam: Ipam;
  private readonly now: () => number;
  private readonly writeLogs: boolean;
  private readonly program?: (config: ContainerConfig) => FakeProgram | undefined;
  private readonly streamingBaseUrl: string;
  private readonly conditions: RuntimeCondition[] = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ];
  private execHandler: FakeExecHandler = () => ({ exitCode: 0 });
  private seq = 0;
  private lastNs = 0n;

  constructor(o: FakeRuntimeOptions = {}) {
    this.ipam = new Ipam(o.podCIDR ?? '10.88.0.0/24');
    this.now = o.now ?? Date.now;
    this.writeLogs = o.writeLogs ?? true;
    this.program = o.program;
    this.streamingBaseUrl = (o.streamingBaseUrl ?? 'http://127.0.0.1:10010').replace(/\/+$/, '');
    for (const ref of o.images ?? []) this.addImage(ref);
  }

  // ---- test hooks ----

  /** Makes the image present, as `ctr images import` would. Returns its id. */
  addImage(ref: string): string {
    const name = normalizeImageRef(ref);
    const id = `sha256:${sha256(name)}`;
    const existing = this.images.get(name);
    if (!existing) this.images.set(name, { id, repoTags: [name], repoDigests: [], size: IMAGE_SIZE, username: '' });
    return id;
  }

  /** The next `times` pulls of `image` fail (gRPC UNKNOWN, as containerd's pull errors). */
  failPull(image: string, message = `failed to pull and unpack image "${normalizeImageRef(image)}": failed to resolve reference "${normalizeImageRef(image)}": not found`, times = Infinity): void {
    this.pullFailures.set(normalizeImageRef(image), { message, code: Code.Unknown, times });
  }

  /** The next `times` CreateContainer calls for a container named `containerName` fail with `message`. */
  failCreateContainer(containerName: string, message: string, times = Infinity, code: number = Code.Unknown): void {
    this.createFailures.set(containerName, { message, code, times });
  }

  /** Forgets every failure set with failPull/failCreateContainer. */
  clearFailures(): void {
    this.pullFailures.clear();
    this.createFailures.clear();
  }

  /** Makes a running container exit, as its process would (reason "Completed"/"Error" from the code unless given, e.g. "OOMKilled"). */
  exit(containerId: string, exitCode: number, reason?: string, message = ''): void {
    const c = this.mustContainer(containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`fake runtime: container ${c.name} (${c.id}) is ${c.state}, not running`);
    this.finish(c, exitCode, reason ?? (exitCode === 0 ? 'Completed' : 'Error'), message);
  }

  /** The exit code a container gets when stopped (as if it handled SIGTERM); default 137, a SIGKILLed PID 1. */
  setStopExitCode(containerId: string, exitCode: number): void {
    this.mustContainer(containerId).stopExitCode = exitCode;
  }

  /** Appends `text` to the container's log file in the CRI format (complete lines "F", a trailing remainder "P"). */
  log(containerId: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const c = this.mustContainer(containerId);
    if (!c.logPath || !this.writeLogs) throw new Error(`fake runtime: container ${c.name} has no log file (no logDirectory/logPath, or writeLogs off)`);
    mkdirSync(dirname(c.logPath), { recursive: true });
    appendFileSync(c.logPath, criLogLines(text, stream, rfc3339Nano(this.nextNs())));
  }

  /** Answers ExecSync (default: exit 0, no output). */
  onExec(handler: FakeExecHandler): void {
    this.execHandler = handler;
  }

  /** What ListContainerStats reports for a running container. */
  setUsage(containerId: string, usage: { cpuCoreNanoSeconds?: number; memoryWorkingSetBytes?: number }): void {
    Object.assign(this.mustContainer(containerId).usage, usage);
  }

  /** Sets a runtime condition (e.g. NetworkReady false) reported by Status. */
  setCondition(type: string, status: boolean, reason = '', message = ''): void {
    const c = this.conditions.find((x) => x.type === type);
    if (c) Object.assign(c, { status, reason, message });
    else this.conditions.push({ type, status, reason, message });
  }

  /** How many times the CRI method (upstream spelling, e.g. "PullImage") was called. */
  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  /** The resources last set on the container (at create or by UpdateContainerResources). */
  resourcesOf(containerId: string): LinuxContainerResources | undefined {
    return this.mustContainer(containerId).resources;
  }

  // ---- RuntimeService ----

  async version(): Promise<VersionResponse> {
    this.called('Version');
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeStatus> {
    this.called('Status');
    return { conditions: this.conditions.map((c) => ({ ...c })) };
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    this.called('RunPodSandbox');
    checkMetadata('RunPodSandbox', { sandboxConfig: config });
    const m = config.metadata;
    const name = `${m.name}_${m.namespace}_${m.uid}_${m.attempt ?? 0}`;
    const id = this.newId('sandbox');
    this.reserve('RunPodSandbox', 'sandbox', name, id);
    let ip = '';
    if (config.linux?.securityContext?.namespaceOptions?.network !== 'NODE') {
      ip = this.ipam.allocate();
      if (!ip) {
        this.names.delete(name);
        throw new CRIError('RunPodSandbox', Code.Unknown,
          `failed to setup network for sandbox "${id}": plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${this.ipam.range}`);
      }
    }
    this.sandboxes.set(id, { id, name, config: structuredClone(config), runtimeHandler, state: 'SANDBOX_READY', createdAt: this.nextNs().toString(), ip });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    this.called('StopPodSandbox');
    const s = this.findSandbox(podSandboxId);
    if (!s) throw new CRIError('StopPodSandbox', Code.NotFound, `an error occurred when try to find sandbox "${podSandboxId}": not found`);
    for (const c of this.containers.values()) if (c.sandboxId === s.id && c.state === 'CONTAINER_RUNNING') this.finish(c, 137, 'Error', '');
    s.state = 'SANDBOX_NOTREADY';
    // CNI DEL on stop: the IP goes back to the pool and the status stops reporting it.
    if (s.ip) this.ipam.release(s.ip);
    s.ip = '';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    this.called('RemovePodSandbox');
    const s = this.findSandbox(podSandboxId);
    if (!s) return;
    for (const c of [...this.containers.values()]) if (c.sandboxId === s.id) this.dropContainer(c);
    if (s.ip) this.ipam.release(s.ip);
    this.names.delete(s.name);
    this.sandboxes.delete(s.id);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    this.called('PodSandboxStatus');
    const s = this.findSandbox(podSandboxId);
    if (!s) throw new CRIError('PodSandboxStatus', Code.NotFound, 'an error occurred when try to find sandbox: not found');
    return { ...this.sandboxView(s), network: { ip: s.ip, additionalIps: [] } };
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    this.called('ListPodSandbox');
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.values()) {
      if (filter.id && !s.id.startsWith(filter.id)) continue;
      if (filter.state && s.state !== filter.state.state) continue;
      if (!matches(s.config.labels, filter.labelSelector)) continue;
      out.push(this.sandboxView(s));
    }
    return out;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.called('CreateContainer');
    checkMetadata('CreateContainer', { config, sandboxConfig });
    const s = this.findSandbox(podSandboxId);
    if (!s) throw new CRIError('CreateContainer', Code.NotFound, `failed to find sandbox id "${podSandboxId}": not found`);
    const failure = this.createFailures.get(config.metadata.name);
    if (failure && failure.times > 0) {
      failure.times--;
      throw new CRIError('CreateContainer', failure.code, failure.message);
    }
    if (s.state !== 'SANDBOX_READY') {
      throw new CRIError('CreateContainer', Code.NotFound, `failed to get sandbox container task: no running task found: task ${s.id} not found: not found`);
    }
    if (!config.image?.image) throw new CRIError('CreateContainer', Code.Unknown, 'failed to resolve image "": ambiguous digest string');
    const image = this.lookupImage(config.image.image);
    if (!image) throw new CRIError('CreateContainer', Code.NotFound, `failed to resolve image "${config.image?.image ?? ''}": not found`);
    const sm = s.config.metadata;
    const name = `${config.metadata.name}_${sm.name}_${sm.namespace}_${sm.uid}_${config.metadata.attempt ?? 0}`;
    const id = this.newId('container');
    this.reserve('CreateContainer', 'container', name, id);
    const logDir = sandboxConfig.logDirectory ?? s.config.logDirectory;
    this.containers.set(id, {
      id,
      name,
      sandboxId: s.id,
      config: structuredClone(config),
      imageRef: image.id,
      state: 'CONTAINER_CREATED',
      createdAt: this.nextNs().toString(),
      startedAt: '0',
      finishedAt: '0',
      exitCode: 0,
      reason: '',
      message: '',
      logPath: logDir && config.logPath ? join(logDir, config.logPath) : '',
      resources: config.linux?.resources ? { ...config.linux.resources } : undefined,
      usage: { cpuCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 },
    });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.called('StartContainer');
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('StartContainer', Code.NotFound, `an error occurred when try to find container "${containerId}": not found`);
    if (c.state !== 'CONTAINER_CREATED') {
      throw new CRIError('StartContainer', Code.Unknown, `failed to set starting state for container "${c.id}": container is in ${c.state} state`);
    }
    if (this.writeLogs && c.logPath) {
      mkdirSync(dirname(c.logPath), { recursive: true });
      appendFileSync(c.logPath, '');
    }
    const p = this.program?.(c.config);
    if (p?.startError) {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: ${p.startError}: unknown`;
      c.state = 'CONTAINER_EXITED';
      c.finishedAt = this.nextNs().toString();
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = message;
      throw new CRIError('StartContainer', Code.Unknown, message);
    }
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.nextNs().toString();
    if (p?.stdout && c.logPath && this.writeLogs) this.log(c.id, p.stdout, 'stdout');
    if (p?.stderr && c.logPath && this.writeLogs) this.log(c.id, p.stderr, 'stderr');
    if (p?.exit) {
      const { code, reason, afterMs = 0 } = p.exit;
      const done = () => { if (c.state === 'CONTAINER_RUNNING') this.exit(c.id, code, reason); };
      if (afterMs <= 0) done();
      else {
        c.timer = setTimeout(done, afterMs);
        c.timer.unref?.();
      }
    }
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    this.called('StopContainer');
    checkSeconds('StopContainer', timeoutSeconds);
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('StopContainer', Code.NotFound, `an error occurred when try to find container "${containerId}": not found`);
    if (c.state !== 'CONTAINER_RUNNING') return;
    const code = c.stopExitCode ?? 137;
    this.finish(c, code, code === 0 ? 'Completed' : 'Error', '');
  }

  async removeContainer(containerId: string): Promise<void> {
    this.called('RemoveContainer');
    const c = this.findContainer(containerId);
    if (c) this.dropContainer(c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    this.called('ListContainers');
    const sandboxId = filter.podSandboxId ? this.findSandbox(filter.podSandboxId)?.id ?? filter.podSandboxId : undefined;
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter.id && !c.id.startsWith(filter.id)) continue;
      if (sandboxId && c.sandboxId !== sandboxId) continue;
      if (filter.state && c.state !== filter.state.state) continue;
      if (!matches(c.config.labels, filter.labelSelector)) continue;
      out.push({
        id: c.id,
        podSandboxId: c.sandboxId,
        metadata: { name: c.config.metadata.name, attempt: c.config.metadata.attempt ?? 0 },
        image: { image: c.config.image.image, annotations: { ...c.config.image.annotations } },
        imageRef: c.imageRef,
        state: c.state,
        createdAt: c.createdAt,
        labels: { ...c.config.labels },
        annotations: { ...c.config.annotations },
      });
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    this.called('ContainerStatus');
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('ContainerStatus', Code.NotFound, `an error occurred when try to find container "${containerId}": not found`);
    return {
      id: c.id,
      metadata: { name: c.config.metadata.name, attempt: c.config.metadata.attempt ?? 0 },
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: { image: c.config.image.image, annotations: { ...c.config.image.annotations } },
      imageRef: c.imageRef,
      reason: c.reason,
      message: c.message,
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      mounts: (c.config.mounts ?? []).map((m) => ({
        containerPath: m.containerPath, hostPath: m.hostPath, readonly: m.readonly ?? false,
        selinuxRelabel: m.selinuxRelabel ?? false, propagation: m.propagation ?? 'PROPAGATION_PRIVATE',
      })),
      logPath: c.logPath,
    };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    this.called('ReopenContainerLog');
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('ReopenContainerLog', Code.NotFound, `an error occurred when try to find container "${containerId}": not found`);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError('ReopenContainerLog', Code.Unknown, 'container is not running');
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse> {
    this.called('ExecSync');
    checkSeconds('ExecSync', timeoutSeconds);
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('ExecSync', Code.NotFound, `failed to exec in container: failed to find container "${containerId}" in store: not found`);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError('ExecSync', Code.Unknown, `failed to exec in container: container is in ${c.state} state`);
    const run = Promise.resolve().then(() => this.execHandler(c.id, [...cmd]));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (timeoutSeconds > 0) {
        timer = setTimeout(() => reject(new CRIError('ExecSync', Code.DeadlineExceeded,
          `failed to exec in container: timeout ${timeoutSeconds}s exceeded: context deadline exceeded`)), timeoutSeconds * 1000);
      }
    });
    try {
      const r = await Promise.race([run, timeout]);
      return { stdout: Buffer.from(r.stdout ?? ''), stderr: Buffer.from(r.stderr ?? ''), exitCode: r.exitCode ?? 0 };
    } finally {
      clearTimeout(timer);
    }
  }

  async exec(req: ExecRequest): Promise<string> {
    this.called('Exec');
    this.checkStreams('Exec', req);
    this.mustRunning('Exec', req.containerId);
    return this.streamingUrl('exec');
  }

  async attach(req: AttachRequest): Promise<string> {
    this.called('Attach');
    this.checkStreams('Attach', req);
    this.mustRunning('Attach', req.containerId);
    return this.streamingUrl('attach');
  }

  async portForward(req: PortForwardRequest): Promise<string> {
    this.called('PortForward');
    const s = this.findSandbox(req.podSandboxId);
    if (!s) throw new CRIError('PortForward', Code.NotFound, `failed to find sandbox "${req.podSandboxId}": not found`);
    if (s.state !== 'SANDBOX_READY') throw new CRIError('PortForward', Code.Unknown, 'sandbox container is not running');
    return this.streamingUrl('portforward');
  }

  async listContainerStats(filter: { id?: string; podSandboxId?: string } = {}): Promise<ContainerStats[]> {
    this.called('ListContainerStats');
    const ts = this.nextNs().toString();
    const out: ContainerStats[] = [];
    for (const c of this.containers.values()) {
      if (filter.id && !c.id.startsWith(filter.id)) continue;
      if (filter.podSandboxId && !c.sandboxId.startsWith(filter.podSandboxId)) continue;
      const stats: ContainerStats = {
        attributes: {
          id: c.id,
          metadata: { name: c.config.metadata.name, attempt: c.config.metadata.attempt ?? 0 },
          labels: { ...c.config.labels },
          annotations: { ...c.config.annotations },
        },
      };
      // As containerd: only a running container has a cgroup to read usage from.
      if (c.state === 'CONTAINER_RUNNING') {
        const mem = { value: String(c.usage.memoryWorkingSetBytes) };
        stats.cpu = { timestamp: ts, usageCoreNanoSeconds: { value: String(c.usage.cpuCoreNanoSeconds) }, usageNanoCores: { value: '0' } };
        stats.memory = { timestamp: ts, workingSetBytes: mem, usageBytes: { ...mem }, rssBytes: { ...mem } };
      }
      out.push(stats);
    }
    return out;
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    this.called('UpdateContainerResources');
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError('UpdateContainerResources', Code.NotFound, 'failed to find container: not found');
    c.resources = { ...c.resources, ...linux };
  }

  // ---- ImageService ----

  async listImages(): Promise<Image[]> {
    this.called('ListImages');
    return [...this.images.values()].map(copyImage);
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    this.called('ImageStatus');
    const i = this.lookupImage(image?.image ?? '');
    return i && copyImage(i);
  }

  async pullImage(image: ImageSpec, _auth?: AuthConfig, _sandboxConfig?: PodSandboxConfig): Promise<string> {
    this.called('PullImage');
    const ref = image?.image ?? '';
    if (!ref) throw new CRIError('PullImage', Code.Unknown, 'failed to pull and unpack image "": reference must not be empty');
    const name = normalizeImageRef(ref);
    const failure = this.pullFailures.get(name);
    if (failure && failure.times > 0) {
      failure.times--;
      throw new CRIError('PullImage', failure.code, failure.message);
    }
    const id = this.addImage(ref);
    const pulled = this.images.get(name)!;
    const digest = `${name.replace(/[:@].*$/, '')}@sha256:${sha256(`manifest ${name}`)}`;
    if (!pulled.repoDigests.includes(digest)) pulled.repoDigests.push(digest);
    return id;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    this.called('RemoveImage');
    const i = this.lookupImage(image?.image ?? '');
    if (!i) return;
    for (const [name, v] of this.images) if (v.id === i.id) this.images.delete(name);
  }

  async imageFsInfo(): Promise<{ usedBytes: string; mountpoint: string }[]> {
    this.called('ImageFsInfo');
    const used = [...this.images.values()].reduce((n, i) => n + Number(i.size), 0);
    return [{ usedBytes: String(used), mountpoint: '/var/lib/fake-runtime/snapshots' }];
  }

  // ---- internals ----

  private called(method: string): void {
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
  }

  /** 64 hex digits like containerd's ids, unique and reproducible within one FakeRuntime. */
  private newId(kind: string): string {
    return sha256(`${kind}-${++this.seq}`);
  }

  /** Nanoseconds since the epoch from the injected clock, strictly increasing so createdAt orders calls. */
  private nextNs(): bigint {
    const ns = BigInt(Math.floor(this.now())) * 1_000_000n;
    this.lastNs = ns > this.lastNs ? ns : this.lastNs + 1n;
    return this.lastNs;
  }

  private reserve(method: string, kind: 'sandbox' | 'container', name: string, id: string): void {
    const holder = this.names.get(name);
    if (holder) throw new CRIError(method, Code.Unknown, `failed to reserve ${kind} name "${name}": name "${name}" is reserved for "${holder}"`);
    this.names.set(name, id);
  }

  private finish(c: FakeContainer, exitCode: number, reason: string, message: string): void {
    clearTimeout(c.timer);
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.nextNs().toString();
    c.exitCode = exitCode;
    c.reason = reason;
    c.message = message;
  }

  private dropContainer(c: FakeContainer): void {
    clearTimeout(c.timer);
    this.names.delete(c.name);
    this.containers.delete(c.id);
  }

  /** By full id or unique prefix, as containerd's truncindex. */
  private findSandbox(id: string): FakeSandbox | undefined {
    return findByPrefix(this.sandboxes, id);
  }

  private findContainer(id: string): FakeContainer | undefined {
    return findByPrefix(this.containers, id);
  }

  private mustContainer(id: string): FakeContainer {
    const c = this.findContainer(id);
    if (!c) throw new Error(`fake runtime: no container ${id}`);
    return c;
  }

  private mustRunning(method: string, containerId: string): void {
    const c = this.findContainer(containerId);
    if (!c) throw new CRIError(method, Code.NotFound, `failed to find container "${containerId}" in store: not found`);
    if (c.state !== 'CONTAINER_RUNNING') throw new CRIError(method, Code.Unknown, `container is in ${c.state} state`);
  }

  private checkStreams(method: string, r: { stdin?: boolean; stdout?: boolean; stderr?: boolean; tty?: boolean }): void {
    if (!r.stdin && !r.stdout && !r.stderr) {
      throw new CRIError(method, Code.InvalidArgument, `one of stdin, stdout, ${method === 'Exec' ? 'or' : 'and'} stderr must be set`);
    }
    if (r.tty && r.stderr) throw new CRIError(method, Code.InvalidArgument, 'tty and stderr cannot both be true');
  }

  private streamingUrl(kind: string): string {
    return `${this.streamingBaseUrl}/${kind}/${sha256(`${kind}-${++this.seq}`).slice(0, 8)}`;
  }

  private lookupImage(ref: string): Image | undefined {
    if (!ref) return undefined;
    const byName = this.images.get(normalizeImageRef(ref));
    if (byName) return byName;
    for (const i of this.images.values()) if (i.id === ref || i.id === `sha256:${ref}`) return i;
    return undefined;
  }

  private sandboxView(s: FakeSandbox): PodSandbox {
    const m = s.config.metadata;
    return {
      id: s.id,
      metadata: { name: m.name, uid: m.uid, namespace: m.namespace, attempt: m.attempt ?? 0 },
      state: s.state,
      createdAt: s.createdAt,
      labels: { ...s.config.labels },
      annotations: { ...s.config.annotations },
    };
  }
}

/** host-local style allocation from one IPv4 range: round robin after the last one handed out. */
class Ipam {
  readonly range: string;
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private last = 1;

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const bits = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) {
      throw new Error(`fake runtime: podCIDR must be an IPv4 CIDR from /8 to /30, got ${JSON.stringify(cidr)}`);
    }
    this.size = 2 ** (32 - bits);
    this.base = (ipNumber(octets) & ~(this.size - 1)) >>> 0;
    this.range = `${ipString(this.base + 1)}-${ipString(this.base + this.size - 2)}`;
  }

  /** The next free address (.1 is the bridge's), or '' when the range is full. */
  allocate(): string {
    for (let i = 1; i <= this.size - 3; i++) {
      const off = ((this.last - 2 + i) % (this.size - 3)) + 2;
      if (!this.used.has(off)) {
        this.used.add(off);
        this.last = off;
        return ipString(this.base + off);
      }
    }
    return '';
  }

  release(ip: string): void {
    this.used.delete(ipNumber(ip.split('.').map(Number)) - this.base);
  }
}

const ipNumber = (o: number[]): number => ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
const ipString = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Docker's normalization, as containerd resolves names: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    name = `docker.io/${name}`;
  }
  if (/^docker\.io\/[^/]+$/.test(name.replace(/[:@].*$/, ''))) name = name.replace(/^docker\.io\//, 'docker.io/library/');
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !name.includes('@')) name = `${name}:latest`;
  return name;
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

function findByPrefix<T>(m: Map<string, T>, id: string): T | undefined {
  if (!id) return undefined;
  const exact = m.get(id);
  if (exact) return exact;
  let found: T | undefined;
  for (const [k, v] of m) {
    if (!k.startsWith(id)) continue;
    if (found) return undefined; // ambiguous prefix: containerd refuses it too
    found = v;
  }
  return found;
}

const copyImage = (i: Image): Image => ({ ...i, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests] });

/** RFC 3339 with nanoseconds (trailing zeros trimmed, as Go's time.RFC3339Nano). */
function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${new Date(ms).toISOString().slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** The CRI log records of `text`: one per line, "F" when the line ended, "P" when split or unterminated. */
export function criLogLines(text: string, stream: 'stdout' | 'stderr', timestamp: string): string {
  let out = '';
  const lines = text.split('\n');
  const last = lines.pop()!; // after the final '\n' (empty when the text ends a line)
  const emit = (line: string, full: boolean) => {
    for (let i = 0; i < line.length || i === 0; i += MAX_LOG_LINE) {
      const chunk = line.slice(i, i + MAX_LOG_LINE);
      const end = i + MAX_LOG_LINE >= line.length;
      out += `${timestamp} ${stream} ${end && full ? 'F' : 'P'} ${chunk}\n`;
      if (end) break;
    }
  };
  for (const l of lines) emit(l, true);
  if (last) emit(last, false);
  return out;
}
