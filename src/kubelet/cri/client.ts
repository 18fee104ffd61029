/**
 * @module The CRI v1 gRPC client of a container runtime (containerd here) on a unix socket:
 * `RuntimeService` and `ImageService` over the hand-written proto subset in `api.proto`.
 * Every call has a deadline and every failure is a `CRIError` carrying the gRPC code.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { checkMetadata, checkSeconds } from './errors.js';
import {
  CRIError,
  type AttachRequest, type AuthConfig, type Container, type ContainerConfig, type ContainerFilter,
  type ContainerMetadata, type ContainerStats, type ContainerStatus, type ExecRequest,
  type ExecSyncResponse, type Image, type ImageService, type ImageSpec, type LinuxContainerResources,
  type Mount, type PodSandbox, type PodSandboxConfig, type PodSandboxFilter, type PodSandboxMetadata,
  type PodSandboxStatus, type PortForwardRequest, type RuntimeService, type RuntimeStatus,
  type VersionResponse,
} from './types.js';

const PROTO = fileURLToPath(new URL('./api.proto', import.meta.url));
/** As the kubelet: ExecSync output is capped at 16 MiB by the runtime, lists of many containers are big. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const PULL_TIMEOUT_MS = 120_000;

type Raw = Record<string, any>;
type Unary = (req: Raw, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Raw) => void) => unknown;
type Stub = grpc.Client & Record<string, Unary>;
type StubCtor = new (address: string, creds: grpc.ChannelCredentials, opts?: grpc.ClientOptions) => Stub;

let services: { runtime: StubCtor; image: StubCtor } | undefined;

/** Loads api.proto once per process (the options the CRI needs: int64 as strings, enums by name). */
function loadServices(): { runtime: StubCtor; image: StubCtor } {
  if (!services) {
    if (!existsSync(PROTO)) throw new Error(`CRI proto ${PROTO} is missing: the build must copy src/kubelet/cri/api.proto next to client.js`);
    const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: String, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as any;
    services = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  }
  return services;
}

export interface CRIClientOptions {
  /** Deadline of every call but PullImage (2 min) and ExecSync (its own timeout plus this). Default 30 s. */
  timeoutMs?: number;
}

export class CRIClient implements RuntimeService, ImageService {
  private readonly runtime: Stub;
  private readonly images: Stub;
  private readonly timeoutMs: number;

  /** `endpoint` is `unix:///absolute/path.sock`. Connecting is lazy: a missing socket fails the first call (UNAVAILABLE). */
  constructor(readonly endpoint: string, opts: CRIClientOptions = {}) {
    if (!/^unix:\/\/\/./.test(endpoint)) {
      throw new Error(`CRI endpoint must be unix:///absolute/path.sock, got ${JSON.stringify(endpoint)}`);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`CRI timeoutMs must be a positive number, got ${timeoutMs}`);
    this.timeoutMs = timeoutMs;
    const { runtime, image } = loadServices();
    const channelOpts = { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES };
    this.runtime = new runtime(endpoint, grpc.credentials.createInsecure(), channelOpts);
    // One connection for both services, as the kubelet does when both share an endpoint.
    this.images = new image(endpoint, grpc.credentials.createInsecure(), { ...channelOpts, channelOverride: this.runtime.getChannel() });
  }

  /** Closes the connection; calls made afterwards fail. */
  close(): void {
    this.runtime.close();
  }

  private call(stub: Stub, method: string, req: Raw, timeoutMs = this.timeoutMs): Promise<Raw> {
    const fn = stub[method.charAt(0).toLowerCase() + method.slice(1)] as Unary;
    const deadline = Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : Infinity;
    return new Promise((resolve, reject) => {
      fn.call(stub, req, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) reject(new CRIError(method, err.code ?? grpc.status.UNKNOWN, err.details || err.message));
        else resolve(res ?? {});
      });
    });
  }

  async version(): Promise<VersionResponse> {
    const r = await this.call(this.runtime, 'Version', { version: 'v1' });
    return { version: r.version, runtimeName: r.runtimeName, runtimeVersion: r.runtimeVersion, runtimeApiVersion: r.runtimeApiVersion };
  }

  async status(): Promise<RuntimeStatus> {
    const r = await this.call(this.runtime, 'Status', {});
    return {
      conditions: (r.status?.conditions ?? []).map((c: Raw) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
    };
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    checkMetadata('RunPodSandbox', { sandboxConfig: config });
    const r = await this.call(this.runtime, 'RunPodSandbox', { config, runtimeHandler });
    return r.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const r = await this.call(this.runtime, 'PodSandboxStatus', { podSandboxId });
    const s = r.status;
    if (!s) throw new CRIError('PodSandboxStatus', grpc.status.UNKNOWN, `runtime returned no status for sandbox ${podSandboxId}`);
    return {
      id: s.id,
      metadata: sandboxMetadata(s.metadata),
      state: s.state,
      createdAt: s.createdAt,
      network: s.network ? { ip: s.network.ip, additionalIps: (s.network.additionalIps ?? []).map((p: Raw) => ({ ip: p.ip })) } : undefined,
      labels: s.labels ?? {},
      annotations: s.annotations ?? {},
    };
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const r = await this.call(this.runtime, 'ListPodSandbox', { filter });
    return (r.items ?? []).map((s: Raw): PodSandbox => ({
      id: s.id,
      metadata: sandboxMetadata(s.metadata),
      state: s.state,
      createdAt: s.createdAt,
      labels: s.labels ?? {},
      annotations: s.annotations ?? {},
    }));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    checkMetadata('CreateContainer', { config, sandboxConfig });
    const r = await this.call(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig });
    return r.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    checkSeconds('StopContainer', timeoutSeconds);
    // The runtime waits up to the grace period before SIGKILL: the deadline must outlast it.
    await this.call(this.runtime, 'StopContainer', { containerId, timeout: timeoutSeconds }, timeoutSeconds * 1000 + this.timeoutMs);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call(this.runtime, 'RemoveContainer', { containerId });
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const r = await this.call(this.runtime, 'ListContainers', { filter });
    return (r.containers ?? []).map((c: Raw): Container => ({
      id: c.id,
      podSandboxId: c.podSandboxId,
      metadata: containerMetadata(c.metadata),
      image: imageSpec(c.image),
      imageRef: c.imageRef,
      state: c.state,
      createdAt: c.createdAt,
      labels: c.labels ?? {},
      annotations: c.annotations ?? {},
    }));
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const r = await this.call(this.runtime, 'ContainerStatus', { containerId });
    const s = r.status;
    if (!s) throw new CRIError('ContainerStatus', grpc.status.UNKNOWN, `runtime returned no status for container ${containerId}`);
    return {
      id: s.id,
      metadata: containerMetadata(s.metadata),
      state: s.state,
      createdAt: s.createdAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      exitCode: s.exitCode,
      image: imageSpec(s.image),
      imageRef: s.imageRef,
      reason: s.reason,
      message: s.message,
      labels: s.labels ?? {},
      annotations: s.annotations ?? {},
      mounts: (s.mounts ?? []).map((m: Raw): Mount => ({
        containerPath: m.containerPath, hostPath: m.hostPath, readonly: m.readonly, selinuxRelabel: m.selinuxRelabel, propagation: m.propagation,
      })),
      logPath: s.logPath,
    };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.call(this.runtime, 'ReopenContainerLog', { containerId });
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse> {
    checkSeconds('ExecSync', timeoutSeconds);
    // timeout 0 means "run until it ends" in the CRI, so no deadline then (as the kubelet does).
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + this.timeoutMs : Infinity;
    const r = await this.call(this.runtime, 'ExecSync', { containerId, cmd, timeout: timeoutSeconds }, deadline);
    return { stdout: Buffer.from(r.stdout ?? []), stderr: Buffer.from(r.stderr ?? []), exitCode: r.exitCode };
  }

  async exec(req: ExecRequest): Promise<string> {
    return (await this.call(this.runtime, 'Exec', { ...req })).url;
  }

  async attach(req: AttachRequest): Promise<string> {
    return (await this.call(this.runtime, 'Attach', { ...req })).url;
  }

  async portForward(req: PortForwardRequest): Promise<string> {
    return (await this.call(this.runtime, 'PortForward', { ...req })).url;
  }

  async listContainerStats(filter?: { id?: string; podSandboxId?: string }): Promise<ContainerStats[]> {
    const r = await this.call(this.runtime, 'ListContainerStats', { filter });
    return (r.stats ?? []).map((s: Raw): ContainerStats => ({
      attributes: {
        id: s.attributes?.id ?? '',
        metadata: containerMetadata(s.attributes?.metadata),
        labels: s.attributes?.labels ?? {},
        annotations: s.attributes?.annotations ?? {},
      },
      cpu: s.cpu ? {
        timestamp: s.cpu.timestamp,
        usageCoreNanoSeconds: s.cpu.usageCoreNanoSeconds ?? undefined,
        usageNanoCores: s.cpu.usageNanoCores ?? undefined,
      } : undefined,
      memory: s.memory ? {
        timestamp: s.memory.timestamp,
        workingSetBytes: s.memory.workingSetBytes ?? undefined,
        usageBytes: s.memory.usageBytes ?? undefined,
        rssBytes: s.memory.rssBytes ?? undefined,
      } : undefined,
    }));
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    await this.call(this.runtime, 'UpdateContainerResources', { containerId, linux });
  }

  async listImages(): Promise<Image[]> {
    const r = await this.call(this.images, 'ListImages', {});
    return (r.images ?? []).map(image);
  }

  async imageStatus(spec: ImageSpec): Promise<Image | undefined> {
    const r = await this.call(this.images, 'ImageStatus', { image: spec });
    return r.image ? image(r.image) : undefined;
  }

  async pullImage(spec: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const r = await this.call(this.images, 'PullImage', { image: spec, auth, sandboxConfig }, Math.max(PULL_TIMEOUT_MS, this.timeoutMs));
    return r.imageRef;
  }

  async removeImage(spec: ImageSpec): Promise<void> {
    await this.call(this.images, 'RemoveImage', { image: spec });
  }

  async imageFsInfo(): Promise<{ usedBytes: string; mountpoint: string }[]> {
    const r = await this.call(this.images, 'ImageFsInfo', {});
    return (r.imageFilesystems ?? []).map((f: Raw) => ({ usedBytes: f.usedBytes?.value ?? '0', mountpoint: f.fsId?.mountpoint ?? '' }));
  }
}

const sandboxMetadata = (m: Raw | null | undefined): PodSandboxMetadata =>
  ({ name: m?.name ?? '', uid: m?.uid ?? '', namespace: m?.namespace ?? '', attempt: m?.attempt ?? 0 });

const containerMetadata = (m: Raw | null | undefined): ContainerMetadata => ({ name: m?.name ?? '', attempt: m?.attempt ?? 0 });

const imageSpec = (s: Raw | null | undefined): ImageSpec => ({ image: s?.image ?? '', annotations: s?.annotations ?? {} });

const image = (i: Raw): Image => ({
  id: i.id,
  repoTags: i.repoTags ?? [],
  repoDigests: i.repoDigests ?? [],
  size: i.size,
  uid: i.uid ?? undefined,
  username: i.username,
});
