/**
 * @module One pod brought to its spec through CRI, level-triggered (kubelet's SyncPod and
 * kuberuntime's computePodActions): sandbox (with volumes set up first), init containers one at a
 * time, then the containers, restarts per restartPolicy with CrashLoopBackOff, liveness kills,
 * postStart/preStop hooks, and the pod's status written after every pass. Also the teardown of a
 * deleted pod and of runtime leftovers that no pod owns. Calls for one pod must not overlap (the
 * pod workers serialize them); different pods sync in parallel.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import { ref } from '../../client/kind-ref.js';
import type { PodSandbox, PodSandboxConfig, RuntimeService } from '../cri/types.js';
import type { DNSOptions } from '../spec/dns.js';
import { Annotations, containerHash } from '../spec/labels.js';
import { PullReason, type ImagePuller } from '../pull/image-puller.js';
import { Backoff, goDuration } from './backoff.js';
import { isCRINotFound, rpcErrorString, rpcMessage } from './cri-errors.js';
import { failureMessages, reasonOfError, type ConfigSourceLike, type PodProbes, type PodSpecBuilder, type PodVolumes } from './deps.js';
import { formatPod, HookRunner } from './hooks.js';
import { generatePodStatus, isSidecar, isTerminalPhase, shouldContainerBeRestarted, type WaitingReason } from './pod-status.js';
import { containersNamed, nsToMs, RuntimePodReader, type RuntimeContainer, type RuntimePod } from './runtime-pod.js';
import { StartGate } from './start-gate.js';
import type { StatusManager } from './status-manager.js';

/** Waiting reasons the pod worker sets (kubelet's kubecontainer errors). */
export const SyncReason = {
  CrashLoopBackOff: 'CrashLoopBackOff',
  CreateContainerConfigError: 'CreateContainerConfigError',
  CreateContainerError: 'CreateContainerError',
  RunContainerError: 'RunContainerError',
  PostStartHookError: 'PostStartHookError',
} as const;

/** Annotation (set by the spec builder) with the pod's termination grace period, for killing orphans. */
const TerminationGraceAnnotation = 'io.kubernetes.pod.terminationGracePeriod';
/** The kubelet never gives a container less than this to stop (minimumGracePeriodInSeconds). */
const MinGraceSeconds = 2;

export interface PodSyncerOptions {
  client: Client;
  runtime: RuntimeService;
  puller: ImagePuller;
  spec: PodSpecBuilder;
  volumes: PodVolumes;
  probes: PodProbes;
  statuses: StatusManager;
  recorder: EventRecorder;
  source: ConfigSourceLike;
  nodeName: string;
  nodeIP: string;
  logRoot: string;
  cgroupRoot: string;
  /** Cluster DNS for the pods' resolv.conf (none: the host's resolver). */
  dns?: DNSOptions;
  /** CrashLoopBackOff (default 10 s doubling to 5 min). */
  crashBackoff?: Backoff;
  /** When to retry a pod whose sandbox, volumes or container config failed (default 10 s). */
  retryMs?: number;
  /** Sandboxes and containers started at once (default twice the CPUs; see StartGate). */
  startConcurrency?: number;
  now?: () => number;
  log: { info(msg: string): void; warn(msg: string): void };
}

interface SandboxInfo { id: string; config: PodSandboxConfig; podIPs: string[] }

/** One pass's wish to be called again: the earliest of the delays asked for. */
class Requeue {
  ms?: number;
  after(ms: number): void { this.ms = this.ms === undefined ? ms : Math.min(this.ms, ms); }
}

export class PodSyncer {
  readonly crashBackoff: Backoff;
  private readonly reader: RuntimePodReader;
  private readonly hooks: HookRunner;
  private readonly now: () => number;
  private readonly retryMs: number;
  private readonly gate: StartGate;
  /** Per pod uid: container name → why it is not running (kubelet's reasonCache). */
  private readonly reasons = new Map<string, Map<string, WaitingReason>>();
  /** Per pod uid: its current sandbox, the config it was created with (CreateContainer needs it) and IPs. */
  private readonly sandboxes = new Map<string, SandboxInfo>();

  constructor(private readonly o: PodSyncerOptions) {
    this.now = o.now ?? Date.now;
    this.retryMs = o.retryMs ?? 10_000;
    this.gate = new StartGate(o.startConcurrency);
    this.crashBackoff = o.crashBackoff ?? new Backoff({ initialMs: 10_000, maxMs: 300_000, now: this.now });
    this.reader = new RuntimePodReader(o.runtime);
    this.hooks = new HookRunner(o.runtime);
  }

  /**
   * Brings a pod that is not being deleted to its spec and writes its status. Resolves with when
   * to sync it again (a back-off ending), if ever, and, when everything in it runs, the runtime's
   * state of the pod that the status was made from (the PLEG then need not report it again).
   * Throws on unexpected runtime or API errors (the pod worker retries with back-off).
   */
  async sync(pod: Obj): Promise<{ requeueAfterMs?: number; observed?: RuntimePod }> {
    const uid: string = pod.metadata.uid;
    let rp = await this.reader.read(uid);
    if (isTerminalPhase(pod.status?.phase)) {
      await this.finish(pod, rp);
      return {};
    }
    if (isTerminalPhase(this.generate(pod, rp).phase)) {
      await this.finish(pod, rp);
      this.writeStatus(pod, await this.reader.read(uid), true);
      return {};
    }
    const requeue = new Requeue();
    const deadlineIn = this.activeDeadlineIn(pod);
    if (deadlineIn !== undefined && deadlineIn <= 0) {
      await this.finish(pod, rp);
      const message = 'Pod was active on the node longer than the specified deadline';
      this.event(pod, 'Normal', 'DeadlineExceeded', message);
      const status = this.o.statuses.merged(pod, this.generate(pod, await this.reader.read(uid), true));
      this.o.statuses.setStatus(pod, { ...status, phase: 'Failed', reason: 'DeadlineExceeded', message });
      return {};
    }
    if (deadlineIn !== undefined) requeue.after(deadlineIn);
    const sb = await this.ensureSandbox(pod, rp, requeue);
    if (sb) {
      // A pod's first sandbox holds nothing yet: no need to ask the runtime what it just made.
      if (!rp.sandboxes.length) rp = { ...rp, sandboxes: [this.newSandbox(sb)] };
      else if (rp.sandboxes[0]?.id !== sb.id) rp = await this.reader.read(uid);
      if (await this.syncContainers(pod, rp, sb, requeue)) rp = await this.reader.read(uid);
      if (await this.stopSidecarsWhenDone(pod, rp)) rp = await this.reader.read(uid);
      await this.removeDeadContainers(rp, sb.id);
    }
    const status = this.generate(pod, rp);
    if (isTerminalPhase(status.phase)) {
      await this.finish(pod, rp);
      rp = await this.reader.read(uid);
    }
    this.writeStatus(pod, rp, isTerminalPhase(status.phase));
    // Only a settled pod (all running) is handed on: an exit seen by this last read was not acted on yet.
    const settled = rp.sandboxes.every((x) => x.state === 'SANDBOX_READY') && rp.containers.every((c) => c.state === 'CONTAINER_RUNNING');
    return { requeueAfterMs: requeue.ms, observed: settled ? rp : undefined };
  }

  /**
   * Stops the pod's containers (preStop hooks, then SIGTERM, SIGKILL after the grace period),
   * removes its containers and sandboxes, volumes, cgroups and logs, and, when `confirm`, deletes
   * the pod from the API for good (grace period 0, preconditioned on its uid).
   */
  async terminate(pod: Obj, confirm: boolean): Promise<void> {
    const uid: string = pod.metadata.uid;
    const rp = await this.reader.read(uid);
    // A pod already gone from the API was force-deleted (or deleted while the agent was down):
    // its containers get only the minimum grace period, as the kubelet gives them.
    await this.killAll(pod, rp, confirm ? undefined : MinGraceSeconds);
    if (confirm) {
      // The final status (containers terminated, phase Succeeded or Failed) before the pod goes, as the kubelet writes it.
      this.writeStatus(pod, await this.reader.read(uid), true);
      await this.o.statuses.flushPod(uid);
    }
    await this.removeRuntimeObjects(rp);
    await this.o.volumes.tearDownPod(uid);
    await this.removeCgroups(uid);
    await rm(join(this.o.logRoot, `${pod.metadata.namespace}_${pod.metadata.name}_${uid}`), { recursive: true, force: true });
    this.forget(uid);
    if (!confirm) return;
    try {
      await this.o.client.delete(ref('Pod', pod.metadata.namespace), pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** Removes what the runtime and disk still hold for a pod uid that no pod in the API has. */
  async removeOrphan(uid: string): Promise<void> {
    const rp = await this.reader.read(uid);
    await Promise.all(rp.containers.filter((c) => c.state === 'CONTAINER_RUNNING').map(async (c) => {
      const grace = Number(c.status.annotations?.[TerminationGraceAnnotation] ?? 30);
      await this.stopContainer(c.id, Math.max(MinGraceSeconds, Number.isFinite(grace) ? grace : 30));
    }));
    const meta = rp.sandboxes[0]?.metadata;
    await this.removeRuntimeObjects(rp);
    await this.o.volumes.tearDownPod(uid);
    await this.removeCgroups(uid);
    if (meta) await rm(join(this.o.logRoot, `${meta.namespace}_${meta.name}_${uid}`), { recursive: true, force: true });
    this.forget(uid);
  }

  /** Milliseconds until spec.activeDeadlineSeconds passes since the pod's start (undefined without one). */
  private activeDeadlineIn(pod: Obj): number | undefined {
    const deadline = pod.spec?.activeDeadlineSeconds;
    if (typeof deadline !== 'number') return undefined;
    const start = Date.parse(this.o.statuses.lastWritten(pod.metadata.uid)?.startTime ?? pod.status?.startTime ?? '');
    return Number.isFinite(start) ? start + deadline * 1000 - this.now() : deadline * 1000;
  }

  /** Whether someone else overwrote the status this node wrote for the pod (it is then written again). */
  statusIsStale(pod: Obj): boolean { return this.o.statuses.isStale(pod); }

  /** Forgets what the syncer remembers about a pod. */
  forget(uid: string): void {
    this.reasons.delete(uid);
    this.sandboxes.delete(uid);
    this.o.probes.removePod(uid);
    this.o.puller.forgetPod(uid);
    this.crashBackoff.resetPrefix(`${uid}_`);
    this.o.statuses.forget(uid);
  }

  /** The pod's cgroups under whichever QoS parent it had (its spec may have been unreadable or gone). */
  private async removeCgroups(uid: string): Promise<void> {
    for (const qos of ['', 'burstable', 'besteffort']) await this.o.spec.removePodCgroups(posix.join('/', this.o.cgroupRoot, qos, `pod${uid}`));
  }

  private layout() { return { logRoot: this.o.logRoot, cgroupRoot: this.o.cgroupRoot, dns: this.o.dns }; }

  private event(pod: Obj, type: EventType, reason: string, message: string): void {
    this.o.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, type, reason, message);
  }

  private reasonsOf(uid: string): Map<string, WaitingReason> {
    let r = this.reasons.get(uid);
    if (!r) this.reasons.set(uid, (r = new Map()));
    return r;
  }

  private generate(pod: Obj, rp: RuntimePod, terminal = false): Obj {
    const uid: string = pod.metadata.uid;
    return generatePodStatus({
      pod, runtime: rp, hostIP: this.o.nodeIP, podIPs: this.sandboxes.get(uid)?.podIPs ?? [], reasons: this.reasonsOf(uid),
      isReady: (id) => this.o.probes.isReady(id), isStarted: (id) => this.o.probes.isStarted(id),
      qosClass: pod.status?.qosClass ?? this.o.spec.qosClass(pod),
    }, terminal);
  }

  private writeStatus(pod: Obj, rp: RuntimePod, terminal: boolean): void {
    this.o.statuses.setStatus(pod, this.o.statuses.merged(pod, this.generate(pod, rp, terminal)));
  }

  /** The pod will run nothing more: stop what runs and its sandbox; keep the containers (their logs). */
  private async finish(pod: Obj, rp: RuntimePod): Promise<void> {
    await this.killAll(pod, rp);
    for (const s of rp.sandboxes) if (s.state === 'SANDBOX_READY') await this.ignoreNotFound(this.o.runtime.stopPodSandbox(s.id));
    this.o.probes.removePod(pod.metadata.uid);
  }

  /** The pod's ready sandbox, creating one (volumes first) when there is none; undefined when that failed or is not wanted. */
  private async ensureSandbox(pod: Obj, rp: RuntimePod, requeue: Requeue): Promise<SandboxInfo | undefined> {
    const uid: string = pod.metadata.uid;
    const newest = rp.sandboxes[0];
    if (newest?.state === 'SANDBOX_READY') {
      let info = this.sandboxes.get(uid);
      if (info?.id !== newest.id) {
        // Adopted (the kubelet restarted): the same config again, which CreateContainer needs.
        const config = this.o.spec.buildSandboxConfig(pod, { ...this.layout(), attempt: newest.metadata.attempt ?? 0 });
        info = { id: newest.id, config, podIPs: await this.podIPs(pod, newest.id) };
        this.sandboxes.set(uid, info);
      }
      return info;
    }
    // A pod that never restarts does not get a new sandbox once its containers ran.
    if (newest && (pod.spec?.restartPolicy ?? 'Always') === 'Never' && rp.containers.length) return undefined;
    if (newest) {
      this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await this.killAll(pod, rp);
    }
    try {
      await this.o.volumes.setUpPod(pod);
    } catch (e) {
      for (const msg of failureMessages(e)) this.event(pod, 'Warning', reasonOfError(e) ?? 'FailedMount', msg);
      requeue.after(this.retryMs);
      return undefined;
    }
    const attempt = rp.sandboxes.reduce((n, s) => Math.max(n, (s.metadata.attempt ?? 0) + 1), 0);
    let config: PodSandboxConfig;
    try {
      config = this.o.spec.buildSandboxConfig(pod, { ...this.layout(), attempt });
    } catch (e) {
      this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      requeue.after(this.retryMs);
      return undefined;
    }
    if (config.logDirectory) await mkdir(config.logDirectory, { recursive: true });
    let id: string;
    try {
      id = await this.gate.run('sandbox', () => this.o.runtime.runPodSandbox(config));
    } catch (e) {
      this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${rpcErrorString(e)}`);
      requeue.after(this.retryMs);
      return undefined;
    }
    const info = { id, config, podIPs: await this.podIPs(pod, id) };
    this.sandboxes.set(uid, info);
    for (const s of rp.sandboxes) if (s.state === 'SANDBOX_READY') await this.ignoreNotFound(this.o.runtime.stopPodSandbox(s.id));
    return info;
  }

  /** The runtime's view of a sandbox this syncer just created (ready, made now). */
  private newSandbox(sb: SandboxInfo): PodSandbox {
    return { id: sb.id, metadata: sb.config.metadata, state: 'SANDBOX_READY', createdAt: String(BigInt(Math.floor(this.now())) * 1_000_000n),
      labels: sb.config.labels ?? {}, annotations: sb.config.annotations ?? {} };
  }

  private async podIPs(pod: Obj, sandboxId: string): Promise<string[]> {
    if (pod.spec?.hostNetwork) return [this.o.nodeIP];
    const net = (await this.o.runtime.podSandboxStatus(sandboxId)).network;
    return net?.ip ? [net.ip, ...(net.additionalIps ?? []).map((x) => x.ip)] : [];
  }

  /** Starts, restarts and kills containers as the spec and restart policy say. Resolves true when it changed anything. */
  private async syncContainers(pod: Obj, rp: RuntimePod, sb: SandboxInfo, requeue: Requeue): Promise<boolean> {
    let acted = false;
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const containers: Obj[] = pod.spec?.containers ?? [];
    const initContainers: Obj[] = pod.spec?.initContainers ?? [];
    const probe = (spec: Obj, c: RuntimeContainer) => this.o.probes.addContainer({ pod, container: spec, containerId: c.id,
      podIP: sb.podIPs[0] ?? '', startedAtMs: nsToMs(c.status.startedAt) });

    // Liveness failures and changed definitions (a new image): kill, and restart at once when the
    // policy says so (no back-off, as upstream).
    const restarted = new Set<string>();
    for (const spec of [...initContainers.filter(isSidecar), ...containers]) {
      const [latest] = containersNamed(rp, spec.name);
      if (latest?.state !== 'CONTAINER_RUNNING') continue;
      const hash = latest.status.annotations?.[Annotations.containerHash];
      const changed = !!hash && hash !== containerHash(spec);
      const failure = changed ? `Container ${spec.name} definition changed, will be restarted` : this.o.probes.livenessFailure(latest.id);
      if (!failure) continue;
      await this.killContainer(pod, latest, spec, failure);
      acted = true;
      if (changed || policy !== 'Never' || isSidecar(spec)) {
        await this.startContainer(pod, spec, latest.restartCount + 1, sb, requeue);
        restarted.add(spec.name);
      }
    }
    if (acted) rp = await this.reader.read(pod.metadata.uid);

    // Init containers of the current sandbox, one at a time: each to a successful exit, or for a
    // sidecar until it started (then it keeps running, restarted whenever it exits).
    const initialized = containers.some((c) => containersNamed(rp, c.name).some((x) => x.sandboxId === sb.id));
    for (const spec of initContainers) {
      if (restarted.has(spec.name)) continue;
      const all = containersNamed(rp, spec.name);
      const [latest] = all.filter((c) => c.sandboxId === sb.id);
      const next = all.length ? all[0].restartCount + 1 : 0;
      if (isSidecar(spec)) {
        let id: string | undefined;
        if (latest?.state === 'CONTAINER_RUNNING') {
          probe(spec, latest);
          id = latest.id;
        } else if (!latest) {
          id = await this.startContainer(pod, spec, next, sb, requeue);
        } else if (latest.state !== 'CONTAINER_EXITED') {
          await this.removeContainer(latest.id);
          id = await this.startContainer(pod, spec, latest.restartCount, sb, requeue);
        } else {
          id = await this.restart(pod, spec, latest, sb, requeue);
        }
        acted ||= !!id && id !== latest?.id;
        if (initialized || (id && this.o.probes.isStarted(id))) continue;
        return acted;
      }
      if (initialized) continue;
      if (!latest) return !!(await this.startContainer(pod, spec, next, sb, requeue)) || acted;
      if (latest.state === 'CONTAINER_RUNNING') return acted;
      if (latest.state !== 'CONTAINER_EXITED') {
        await this.removeContainer(latest.id);
        return !!(await this.startContainer(pod, spec, latest.restartCount, sb, requeue)) || acted;
      }
      if (latest.status.exitCode === 0) continue;
      if (policy === 'Never') return acted;
      return !!(await this.restart(pod, spec, latest, sb, requeue)) || acted;
    }

    for (const spec of containers) {
      const [latest] = containersNamed(rp, spec.name);
      if (restarted.has(spec.name)) continue;
      if (!latest) {
        acted = !!(await this.startContainer(pod, spec, 0, sb, requeue)) || acted;
      } else if (latest.state === 'CONTAINER_RUNNING') {
        // Idempotent: also how probes resume for containers adopted after a restart.
        probe(spec, latest);
      } else if (latest.state !== 'CONTAINER_EXITED') {
        await this.removeContainer(latest.id);
        await this.startContainer(pod, spec, latest.restartCount, sb, requeue);
        acted = true;
      } else if (shouldContainerBeRestarted(pod, latest)) {
        acted = !!(await this.restart(pod, spec, latest, sb, requeue)) || acted;
      }
    }
    return acted;
  }

  /**
   * With restartPolicy Never/OnFailure, once every container finished for good the sidecars are
   * stopped too (last started first), so that the pod completes. Resolves true when it stopped any.
   */
  private async stopSidecarsWhenDone(pod: Obj, rp: RuntimePod): Promise<boolean> {
    const sidecars: Obj[] = (pod.spec?.initContainers ?? []).filter(isSidecar);
    if (!sidecars.length || (pod.spec?.restartPolicy ?? 'Always') === 'Always') return false;
    const done = (pod.spec?.containers ?? []).every((c: Obj) => {
      const [latest] = containersNamed(rp, c.name);
      return latest?.state === 'CONTAINER_EXITED' && !shouldContainerBeRestarted(pod, latest);
    });
    if (!done) return false;
    let stopped = false;
    for (const spec of [...sidecars].reverse()) {
      const [latest] = containersNamed(rp, spec.name);
      if (latest?.state !== 'CONTAINER_RUNNING') continue;
      await this.killContainer(pod, latest, spec);
      stopped = true;
    }
    return stopped;
  }

  /** Restarts an exited container unless it is in CrashLoopBackOff (then asks to be synced when that ends). */
  private async restart(pod: Obj, spec: Obj, latest: RuntimeContainer, sb: SandboxInfo, requeue: Requeue): Promise<string | undefined> {
    const key = `${pod.metadata.uid}_${spec.name}`;
    const finishedAt = nsToMs(latest.status.finishedAt) || this.now();
    if (this.crashBackoff.isInBackOffSince(key, finishedAt)) {
      const delay = goDuration(this.crashBackoff.get(key));
      this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${formatPod(pod)}`);
      this.reasonsOf(pod.metadata.uid).set(spec.name, { reason: SyncReason.CrashLoopBackOff,
        message: `back-off ${delay} restarting failed container=${spec.name} pod=${formatPod(pod)}` });
      requeue.after(this.crashBackoff.remaining(key, finishedAt) + 1);
      return undefined;
    }
    this.crashBackoff.next(key, finishedAt);
    return this.startContainer(pod, spec, latest.restartCount + 1, sb, requeue);
  }

  /** Pull, config, create, start, postStart (kuberuntime's startContainer). Resolves with the id of the container it created. */
  private async startContainer(pod: Obj, spec: Obj, restartCount: number, sb: SandboxInfo, requeue: Requeue): Promise<string | undefined> {
    const uid: string = pod.metadata.uid;
    const reasons = this.reasonsOf(uid);
    const fail = (reason: string, message: string, eventMessage: string) => {
      reasons.set(spec.name, { reason, message });
      this.event(pod, 'Warning', 'Failed', `Error: ${eventMessage}`);
    };
    const image = await this.o.puller.ensureImage(pod, spec, sb.config);
    if (image.failure) {
      fail(image.failure.reason, image.failure.message, image.failure.reason);
      // ErrImagePull shows until half the back-off passed, then ImagePullBackOff until it ends, then a new pull.
      const remaining = this.o.puller.backoffRemaining(uid, spec.image);
      if (image.failure.reason === PullReason.ErrImagePull) requeue.after(Math.ceil(remaining / 2));
      else if (image.failure.reason === PullReason.ImagePullBackOff) requeue.after(remaining + 1);
      else requeue.after(this.retryMs);
      return undefined;
    }
    let config;
    try {
      config = await this.o.spec.buildContainerConfig({ pod, container: spec, restartCount, mounts: this.o.volumes.mountsFor(pod, spec, sb.podIPs),
        podIP: sb.podIPs[0] ?? '', podIPs: sb.podIPs, hostIP: this.o.nodeIP, nodeName: this.o.nodeName, source: this.o.source,
        imageRef: image.imageRef });
    } catch (e) {
      if (reasonOfError(e) !== SyncReason.CreateContainerConfigError) this.o.log.warn(`pod ${formatPod(pod)} container ${spec.name}: ${(e as Error).stack}`);
      fail(SyncReason.CreateContainerConfigError, (e as Error).message, (e as Error).message);
      requeue.after(this.retryMs);
      return undefined;
    }
    // The kubelet makes the container's log directory (<pod log dir>/<container>/).
    if (sb.config.logDirectory && config.logPath) await mkdir(dirname(join(sb.config.logDirectory, config.logPath)), { recursive: true });
    let id: string;
    try {
      id = await this.o.runtime.createContainer(sb.id, config, sb.config);
    } catch (e) {
      fail(SyncReason.CreateContainerError, rpcMessage(e), rpcMessage(e));
      requeue.after(this.retryMs);
      return undefined;
    }
    this.event(pod, 'Normal', 'Created', `Created container ${spec.name}`);
    try {
      await this.gate.run('container', () => this.o.runtime.startContainer(id));
    } catch (e) {
      // The container exists (exited, StartError): the next pass restarts it under CrashLoopBackOff.
      fail(SyncReason.RunContainerError, rpcMessage(e), rpcMessage(e));
      return id;
    }
    this.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
    reasons.delete(spec.name);
    const podIP = sb.podIPs[0] ?? '';
    const isInit = (pod.spec?.initContainers ?? []).includes(spec);
    if (!isInit || isSidecar(spec)) this.o.probes.addContainer({ pod, container: spec, containerId: id, podIP, startedAtMs: this.now() });
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      const msg = await this.hooks.run({ pod, container: spec, containerId: id, podIP }, postStart, this.graceSeconds(pod));
      if (msg) {
        this.event(pod, 'Warning', 'FailedPostStartHook', msg);
        await this.killContainer(pod, { id, name: spec.name }, spec, 'FailedPostStartHook');
        reasons.set(spec.name, { reason: SyncReason.PostStartHookError, message: msg });
      }
    }
    return id;
  }

  /** The grace period the pod's containers get: the deletion's, else terminationGracePeriodSeconds (30). */
  private graceSeconds(pod: Obj): number {
    const m = pod.metadata ?? {};
    if (m.deletionTimestamp && typeof m.deletionGracePeriodSeconds === 'number') return m.deletionGracePeriodSeconds;
    const g = pod.spec?.terminationGracePeriodSeconds;
    return typeof g === 'number' ? g : 30;
  }

  /**
   * Stops every running container of the pod: the containers (and init containers) at once, then
   * the sidecars one by one, last started first, as the kubelet orders a pod's termination.
   */
  private async killAll(pod: Obj, rp: RuntimePod, graceOverride?: number): Promise<void> {
    const specs: Obj[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const specOf = (name: string) => specs.find((x) => x.name === name);
    const running = rp.containers.filter((c) => c.state === 'CONTAINER_RUNNING');
    const kill = (c: RuntimeContainer, spec: Obj | undefined) => this.killContainer(pod, c, spec, undefined, graceOverride);
    await Promise.all(running.filter((c) => !isSidecar(specOf(c.name))).map((c) => kill(c, specOf(c.name))));
    const sidecars = specs.filter(isSidecar).reverse();
    for (const spec of sidecars) for (const c of running.filter((x) => x.name === spec.name)) await kill(c, spec);
  }

  /** preStop hook, then StopContainer with what is left of the grace period (kuberuntime's killContainer). */
  private async killContainer(pod: Obj, c: { id: string; name: string }, spec: Obj | undefined, message?: string, graceOverride?: number): Promise<void> {
    let grace = graceOverride ?? this.graceSeconds(pod);
    this.event(pod, 'Normal', 'Killing', message ?? `Stopping container ${c.name}`);
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && grace > 0) {
      const started = this.now();
      const podIP = this.sandboxes.get(pod.metadata.uid)?.podIPs[0] ?? pod.status?.podIP ?? '';
      const msg = await this.hooks.run({ pod, container: spec, containerId: c.id, podIP }, preStop, grace);
      if (msg) this.event(pod, 'Warning', 'FailedPreStopHook', msg);
      grace -= Math.floor((this.now() - started) / 1000);
    }
    await this.stopContainer(c.id, Math.max(grace, MinGraceSeconds));
    this.o.probes.removeContainer(c.id);
  }

  private async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await this.ignoreNotFound(this.o.runtime.stopContainer(id, graceSeconds));
  }

  private async removeContainer(id: string): Promise<void> {
    await this.ignoreNotFound(this.o.runtime.removeContainer(id));
    this.reader.forget([id]);
  }

  /**
   * Keeps one dead container per name (the newest, so that `logs --previous` works) and removes
   * the rest, and removes old sandboxes that hold no container any more.
   */
  private async removeDeadContainers(rp: RuntimePod, currentSandbox: string): Promise<void> {
    const keptDead = new Set<string>();
    const removed = new Set<string>();
    for (const c of rp.containers) {
      if (c.state === 'CONTAINER_RUNNING') continue;
      if (!keptDead.has(c.name)) {
        keptDead.add(c.name);
        continue;
      }
      await this.removeContainer(c.id);
      removed.add(c.id);
    }
    for (const s of rp.sandboxes) {
      if (s.id === currentSandbox || rp.containers.some((c) => c.sandboxId === s.id && !removed.has(c.id))) continue;
      await this.removeSandbox(s.id);
    }
  }

  private async removeRuntimeObjects(rp: RuntimePod): Promise<void> {
    for (const c of rp.containers) await this.removeContainer(c.id);
    for (const s of rp.sandboxes) await this.removeSandbox(s.id);
  }

  /**
   * RemovePodSandbox alone: it stops a sandbox that still runs. A StopPodSandbox first would make
   * containerd tear the pod network down twice (every CNI plugin run again on remove).
   */
  private async removeSandbox(id: string): Promise<void> {
    await this.ignoreNotFound(this.o.runtime.removePodSandbox(id));
  }

  private async ignoreNotFound(p: Promise<void>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (!isCRINotFound(e)) throw e;
    }
  }
}
