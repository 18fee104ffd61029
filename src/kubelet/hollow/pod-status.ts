/**
 * @module The pod statuses a hollow node reports, shaped as the kubelet's status manager writes
 * them (conditions, container statuses, IPs) — without any container behind them.
 */
import { createHash } from 'node:crypto';
import type { Obj } from '../../client/client.js';

/** A pod with this annotation set to "true" runs but never becomes Ready (readiness simulation for tests). */
export const NeverReadyAnnotation = 'hollow.tugboat.dev/never-ready';
/** A pod of restartPolicy Never/OnFailure with this annotation ("N", seconds) succeeds N s after it started. */
export const ExitAfterAnnotation = 'hollow.tugboat.dev/exit-after-seconds';

/** RFC 3339 to the second, as metav1.Time serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Seconds after start at which the pod completes, when it is a finite pod that asked to. */
export function exitAfterSeconds(pod: Obj): number | undefined {
  if ((pod.spec?.restartPolicy ?? 'Always') === 'Always') return undefined;
  const raw = pod.metadata?.annotations?.[ExitAfterAnnotation];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const neverReady = (pod: Obj) => pod.metadata?.annotations?.[NeverReadyAnnotation] === 'true';

const condition = (type: string, status: boolean, at: string, reason?: string) =>
  ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at, ...(reason ? { reason } : {}) });

/** A stable fake runtime id for a container of a pod ("containerd://<64 hex>"). */
const containerID = (pod: Obj, name: string) =>
  `containerd://${createHash('sha256').update(`${pod.metadata?.uid}/${name}`).digest('hex')}`;
const imageID = (image: string) => `${image}@sha256:${createHash('sha256').update(image).digest('hex')}`;

export interface RunningStatusInput {
  pod: Obj;
  hostIP: string;
  podIP: string;
  /** When the containers started (ms). */
  startedAt: number;
}

/**
 * The status of a pod whose containers all run (phase Running): ready unless the pod asks never to
 * be, as the kubelet reports after its first sync. Keeps the QoS class the API server set.
 */
export function runningStatus({ pod, hostIP, podIP, startedAt }: RunningStatusInput): Obj {
  const at = rfc3339(startedAt);
  const ready = !neverReady(pod);
  const notReady = ready ? undefined : 'ContainersNotReady';
  const containers: Obj[] = pod.spec?.containers ?? [];
  const initContainers: Obj[] = pod.spec?.initContainers ?? [];
  const status: Obj = {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers', true, at),
      condition('Initialized', true, at),
      condition('Ready', ready, at, notReady),
      condition('ContainersReady', ready, at, notReady),
      condition('PodScheduled', true, scheduledAt(pod, at)),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: at,
    containerStatuses: containers.map((c) => ({
      name: c.name, image: c.image, imageID: imageID(c.image), containerID: containerID(pod, c.name),
      ready, restartCount: 0, started: true, state: { running: { startedAt: at } },
    })),
    qosClass: pod.status?.qosClass,
  };
  if (!ready) {
    const names = containers.map((c) => c.name).join(' ');
    for (const c of status.conditions) {
      if (c.type === 'Ready' || c.type === 'ContainersReady') c.message = `containers with unready status: [${names}]`;
    }
  }
  if (initContainers.length) {
    status.initContainerStatuses = initContainers.map((c) => ({
      name: c.name, image: c.image, imageID: imageID(c.image), containerID: containerID(pod, c.name),
      ready: true, restartCount: 0, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at, containerID: containerID(pod, c.name) } },
    }));
  }
  return status;
}

/**
 * Whether the stored Ready condition of a running pod is not what the node reports: someone else
 * wrote it (the node lifecycle controller marks the pods of a NotReady node not ready). The
 * kubelet's status manager then writes its own status back (needsReconcile); so does a hollow node.
 */
export function readyDrifted(pod: Obj): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  return (ready?.status === 'True') !== !neverReady(pod);
}

/** The running status written back over a drifted one: started when it did, Ready changed now. */
export function reassertedStatus(input: Omit<RunningStatusInput, 'startedAt'>, now: number): Obj {
  const started = Date.parse(input.pod.status?.startTime ?? '');
  const status = runningStatus({ ...input, startedAt: Number.isNaN(started) ? now : started });
  for (const c of status.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') c.lastTransitionTime = rfc3339(now);
  return status;
}

/** The status of a pod whose containers all exited 0 (phase Succeeded), as the kubelet reports it. */
export function succeededStatus(pod: Obj, finishedAt: number): Obj {
  const at = rfc3339(finishedAt);
  const prev: Obj = pod.status ?? {};
  const startedAt = prev.startTime ?? at;
  return {
    ...prev,
    phase: 'Succeeded',
    conditions: [
      condition('PodReadyToStartContainers', false, at),
      condition('Initialized', true, startedAt, 'PodCompleted'),
      condition('Ready', false, at, 'PodCompleted'),
      condition('ContainersReady', false, at, 'PodCompleted'),
      condition('PodScheduled', true, scheduledAt(pod, startedAt)),
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c: Obj) => ({
      name: c.name, image: c.image, imageID: imageID(c.image), containerID: containerID(pod, c.name),
      ready: false, restartCount: 0, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: at, containerID: containerID(pod, c.name) } },
    })),
  };
}

/** The PodScheduled condition's time as the scheduler set it, or `fallback`. */
function scheduledAt(pod: Obj, fallback: string): string {
  const c = (pod.status?.conditions ?? []).find((x: Obj) => x.type === 'PodScheduled' && x.status === 'True');
  return c?.lastTransitionTime ?? fallback;
}
