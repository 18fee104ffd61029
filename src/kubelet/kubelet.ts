/**
 * @module The node agent (kubelet): registers this node and keeps it alive, and runs the pods
 * bound to it through CRI — pod workers, image pulls, volumes, probes, status, events, and the
 * clean-up of whatever no pod owns. `new Kubelet(opts).run(signal)` is all a caller needs.
 */
import type { Client, Obj } from '../client/client.js';
import { EventBroadcaster, type EventRecorder } from '../client/events.js';
import { sleep } from '../client/informer.js';
import type { ImageService, RuntimeService } from './cri/types.js';
import { NodeHeartbeat } from './node/node-heartbeat.js';
import type { Reserved } from './node/node-status.js';
import { APIConfigSource } from './pods/api-config-source.js';
import { Backoff } from './pods/backoff.js';
import type { ConfigSourceLike, PodProbes, PodSpecBuilder, PodVolumes } from './pods/deps.js';
import { PodSyncer } from './pods/pod-sync.js';
import { PodWorkers } from './pods/pod-workers.js';
import { StatusManager } from './pods/status-manager.js';
import { ProbeManager } from './probes/index.js';
import { ImagePuller } from './pull/image-puller.js';
import { buildContainerConfig, buildSandboxConfig, qosClass, removePodCgroups, type DNSOptions } from './spec/index.js';
import { VolumeManager } from './volumes/index.js';

export interface KubeletLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

/** The parts the pod workers drive; the real ones by default, stand-ins in unit tests. */
export interface KubeletParts {
  spec: PodSpecBuilder;
  volumes(o: { rootDir: string; source: ConfigSourceLike }): PodVolumes;
  probes(o: { runtime: RuntimeService; recorder: EventRecorder; onChange: (podUID: string) => void }): PodProbes;
}

/** Periods and back-offs, the kubelet's by default; tests shorten them. */
export interface KubeletTunables {
  /** Lease renewal and node status computation (10 s). */
  heartbeatMs: number;
  /** An unchanged node status is written after this long (1 min). */
  statusReportMs: number;
  /** PLEG relist (1 s). */
  plegPeriodMs: number;
  /** Orphan clean-up and ConfigMap/Secret volume refresh (10 s). */
  housekeepingMs: number;
  /** Every pod synced again without events (1 min). */
  resyncMs: number;
  /** CrashLoopBackOff and image pull back-off: initial and maximum delay (10 s, 5 min). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Retry of a pod whose sandbox, volumes or container config failed (10 s). */
  retryMs: number;
  /** Pod syncs in flight at once (64). */
  workers: number;
}

export const DefaultTunables: KubeletTunables = {
  heartbeatMs: 10_000, statusReportMs: 60_000, plegPeriodMs: 1000, housekeepingMs: 10_000, resyncMs: 60_000,
  backoffInitialMs: 10_000, backoffMaxMs: 300_000, retryMs: 10_000, workers: 64,
};

export interface KubeletOptions {
  client: Client;
  nodeName: string;
  nodeIP: string;
  runtime: RuntimeService;
  images: ImageService;
  /** DATA_DIR/kubelet: pod volume directories live under it; its filesystem is the node's ephemeral-storage. */
  rootDir: string;
  /** Containers' logs go to `<logRoot>/<ns>_<name>_<uid>/<container>/<restart>.log`. */
  logRoot: string;
  /** Pods' cgroups go under it (cgroupfs, cgroup v1). */
  cgroupRoot: string;
  /** Given to the Node when it has none. */
  podCIDR?: string;
  /** The port of the kubelet's HTTPS server, reported in the Node's daemonEndpoints. */
  kubeletPort: number;
  log: KubeletLog;
  /** Replaces measured capacity entries (e.g. { cpu: '8' }). */
  capacityOverrides?: Record<string, string>;
  /** system-reserved (default cpu 100m, memory 256Mi). */
  reserved?: Reserved;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Cluster DNS for pods' resolv.conf (none: pods use the host's resolver). */
  dns?: DNSOptions;
  /**
   * Runs once the Node is registered (heartbeats already going) and before any pod is started:
   * the node agent waits there for the node's podCIDR and sets up the pod network. Throwing stops the kubelet.
   */
  beforePods?: (node: Obj, signal: AbortSignal) => Promise<void>;
  parts?: Partial<KubeletParts>;
  tunables?: Partial<KubeletTunables>;
}

const realParts: KubeletParts = {
  spec: { buildSandboxConfig, buildContainerConfig, qosClass, removePodCgroups: (p) => removePodCgroups(p) },
  volumes: (o) => new VolumeManager(o),
  probes: (o) => new ProbeManager(o),
};

export class Kubelet {
  constructor(private readonly o: KubeletOptions) {}

  /**
   * Registers the node (retrying until the API answers), then heartbeats and runs pods until
   * `signal` aborts; resolves once every loop has stopped and queued writes are flushed. Pods and
   * their containers keep running after it returns: a new Kubelet adopts them.
   */
  async run(signal: AbortSignal): Promise<void> {
    const o = this.o;
    const t: KubeletTunables = { ...DefaultTunables, ...o.tunables };
    const parts: KubeletParts = { ...realParts, ...o.parts };
    const broadcaster = new EventBroadcaster(o.client, { log: { error: (obj, msg) => o.log.warn(`${msg}: ${JSON.stringify(obj)}`) } });
    const recorder = broadcaster.recorder('kubelet', o.nodeName);
    const source = new APIConfigSource(o.client);
    const heartbeat = new NodeHeartbeat({ client: o.client, nodeName: o.nodeName, nodeIP: o.nodeIP, kubeletPort: o.kubeletPort,
      runtime: o.runtime, images: o.images, rootDir: o.rootDir, podCIDR: o.podCIDR, labels: o.labels, capacityOverrides: o.capacityOverrides,
      reserved: o.reserved, intervalMs: t.heartbeatMs, reportIntervalMs: t.statusReportMs, log: o.log });
    const node = await this.register(heartbeat, signal);
    if (!node) return;
    const beating = heartbeat.run(signal);
    try {
      await o.beforePods?.(node, signal);
    } catch (e) {
      if (!signal.aborted) throw e;
    }
    if (signal.aborted) {
      await beating;
      return;
    }

    let workers: PodWorkers | undefined;
    const probes = parts.probes({ runtime: o.runtime, recorder, onChange: (uid) => workers?.enqueue(uid) });
    const volumes = parts.volumes({ rootDir: o.rootDir, source });
    const statuses = new StatusManager({ client: o.client, log: o.log, onWriteFailed: (uid) => workers?.enqueue(uid) });
    const backoff = () => new Backoff({ initialMs: t.backoffInitialMs, maxMs: t.backoffMaxMs });
    const puller = new ImagePuller({ images: o.images, recorder, secret: (ns, n) => source.secret(ns, n), backoff: backoff() });
    const syncer = new PodSyncer({ client: o.client, runtime: o.runtime, puller, spec: parts.spec, volumes, probes, statuses, recorder, source, dns: o.dns,
      nodeName: o.nodeName, nodeIP: o.nodeIP, logRoot: o.logRoot, cgroupRoot: o.cgroupRoot, crashBackoff: backoff(),
      retryMs: t.retryMs, log: o.log });
    workers = new PodWorkers({ client: o.client, nodeName: o.nodeName, runtime: o.runtime, syncer, volumes, workers: t.workers,
      plegPeriodMs: t.plegPeriodMs, housekeepingMs: t.housekeepingMs, resyncMs: t.resyncMs, log: o.log });
    o.log.info(`kubelet: node ${o.nodeName} registered; running pods`);
    try {
      await Promise.all([beating, workers.run(signal)]);
    } finally {
      probes.stop();
      await statuses.flush();
      await broadcaster.flush();
    }
  }

  /** Registers the node, retrying with back-off (1 s doubling to 30 s) until it works or signal aborts. */
  private async register(heartbeat: NodeHeartbeat, signal: AbortSignal): Promise<Obj | undefined> {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        return await heartbeat.register();
      } catch (e) {
        this.o.log.warn(`kubelet: registering node ${this.o.nodeName} failed: ${(e as Error).message}; retrying in ${delay} ms`);
        await sleep(delay, signal);
        delay = Math.min(30_000, delay * 2);
      }
    }
    return undefined;
  }
}
