/**
 * @module The CRI v1 calls the node agent makes, as TypeScript shapes of the `runtime.v1` messages
 * (field names camelCased as @grpc/proto-loader gives them; int64 fields as decimal strings when
 * read, numbers or strings when written). `RuntimeService` and `ImageService` have two
 * implementations: the gRPC client of containerd (`client.ts`) and an in-memory fake (`fake.ts`).
 */

export type Int64 = string | number;

export interface KeyValue { key: string; value: string }

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface ContainerMetadata { name: string; attempt?: number }

export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export interface PortMapping { protocol?: Protocol; containerPort: number; hostPort?: number; hostIp?: string }

/** NamespaceMode: POD (0), CONTAINER (1), NODE (2), TARGET (3). */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }

export interface Int64Value { value: Int64 }

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  privileged?: boolean;
}

export interface LinuxContainerResources {
  cpuPeriod?: Int64;
  cpuQuota?: Int64;
  cpuShares?: Int64;
  memoryLimitInBytes?: Int64;
  oomScoreAdj?: Int64;
}

export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
  /** Sum of the containers' resources (CRI ≥ 1.28; containerd 1.6 ignores it). */
  resources?: LinuxContainerResources;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Directory under which the containers' log files are written (`<logDirectory>/<container logPath>`). */
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

/** PodSandboxState: SANDBOX_READY (0), SANDBOX_NOTREADY (1). */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodIP { ip: string }
export interface PodSandboxNetworkStatus { ip: string; additionalIps?: PodIP[] }

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: string;
  network?: PodSandboxNetworkStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState }; labelSelector?: Record<string, string> }

export interface ImageSpec { image: string; annotations?: Record<string, string> }

/** MountPropagation: PROPAGATION_PRIVATE (0), PROPAGATION_HOST_TO_CONTAINER (1), PROPAGATION_BIDIRECTIONAL (2). */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface Capability { addCapabilities?: string[]; dropCapabilities?: string[] }

export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface LinuxContainerConfig { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext }

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
}

/** ContainerState: CONTAINER_CREATED (0), CONTAINER_RUNNING (1), CONTAINER_EXITED (2), CONTAINER_UNKNOWN (3). */
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  /** Nanoseconds since the epoch ("0" when not yet). */
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  /** "OOMKilled", "Error", "Completed", … as the runtime says. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  /** Absolute path of the container's log file. */
  logPath: string;
}

export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }

export interface ExecRequest { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }
export interface AttachRequest { containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }
export interface PortForwardRequest { podSandboxId: string; port?: number[] }

export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface RuntimeStatus { conditions: RuntimeCondition[] }

export interface UInt64Value { value: string }
export interface CpuUsage { timestamp: string; usageCoreNanoSeconds?: UInt64Value; usageNanoCores?: UInt64Value }
export interface MemoryUsage { timestamp: string; workingSetBytes?: UInt64Value; usageBytes?: UInt64Value; rssBytes?: UInt64Value }
export interface ContainerAttributes { id: string; metadata: ContainerMetadata; labels: Record<string, string>; annotations: Record<string, string> }
export interface ContainerStats { attributes: ContainerAttributes; cpu?: CpuUsage; memory?: MemoryUsage }

export interface AuthConfig { username?: string; password?: string; auth?: string; serverAddress?: string; identityToken?: string; registryToken?: string }

export interface Image { id: string; repoTags: string[]; repoDigests: string[]; size: string; uid?: Int64Value; username?: string }

/** A CRI call that failed: `code` is the gRPC status code (5 NOT_FOUND, 2 UNKNOWN, …). */
export class CRIError extends Error {
  constructor(readonly method: string, readonly code: number, readonly details: string) {
    super(`${method}: ${details}`);
  }
}

export interface RuntimeService {
  version(): Promise<VersionResponse>;
  status(): Promise<RuntimeStatus>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends SIGTERM, then SIGKILL after `timeoutSeconds`. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Reopens the container's log file (after the kubelet rotated it). */
  reopenContainerLog(containerId: string): Promise<void>;
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse>;
  /** These three return the URL of the runtime's streaming server for the session. */
  exec(req: ExecRequest): Promise<string>;
  attach(req: AttachRequest): Promise<string>;
  portForward(req: PortForwardRequest): Promise<string>;
  listContainerStats(filter?: { id?: string; podSandboxId?: string }): Promise<ContainerStats[]>;
  updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void>;
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  /** The image, or undefined when the runtime does not have it. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /** Pulls and returns the image reference (digest) the runtime resolved. */
  pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
  /** Bytes used by the image filesystem. */
  imageFsInfo(): Promise<{ usedBytes: string; mountpoint: string }[]>;
}

/** The labels the kubelet puts on sandboxes and containers to find its pods again after a restart. */
export const Labels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUID: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
} as const;
