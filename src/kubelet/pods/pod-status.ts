/**
 * @module The pod status the kubelet reports, computed from what the runtime has (kubelet's
 * generateAPIPodStatus, convertToAPIContainerStatuses, getPhase and the status package's
 * condition generators): phase, the kubelet-owned conditions, init and regular container
 * statuses with state / lastState / restartCount, IPs and QoS class. Pure: no I/O, no clock but `now`.
 */
import type { Obj } from '../../client/client.js';
import { containersNamed, nsToMs, type RuntimeContainer, type RuntimePod } from './runtime-pod.js';

/** A container's waiting reason from the last sync (ErrImagePull, CrashLoopBackOff, …) and its message. */
export interface WaitingReason { reason: string; message: string }

export interface StatusInput {
  pod: Obj;
  runtime: RuntimePod;
  hostIP: string;
  podIPs: string[];
  reasons: ReadonlyMap<string, WaitingReason>;
  isReady(containerId: string): boolean;
  isStarted(containerId: string): boolean;
  qosClass: string;
}

/** Conditions the kubelet owns; others (DisruptionTarget, readiness gates) are kept as they are, PodScheduled as the scheduler set it. */
export const KubeletConditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

/** RFC 3339 to the second, as metav1.Time serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const time = (ns: string) => rfc3339(nsToMs(ns));

export const containerID = (id: string) => `containerd://${id}`;

/** A sidecar: an init container with restartPolicy Always (it keeps running beside the containers). */
export const isSidecar = (c: Obj | undefined) => c?.restartPolicy === 'Always';

/** kubecontainer.ShouldContainerBeRestarted: whether the next sync would (re)start this container. */
export function shouldContainerBeRestarted(pod: Obj, latest: RuntimeContainer | undefined, spec?: Obj): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (!latest) return true;
  if (latest.state === 'CONTAINER_RUNNING') return false;
  if (latest.state === 'CONTAINER_UNKNOWN' || latest.state === 'CONTAINER_CREATED') return true;
  const policy = isSidecar(spec) ? 'Always' : pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && latest.status.exitCode === 0) return false;
  return true;
}

function stateOf(c: RuntimeContainer): Obj {
  const s = c.status;
  if (s.state === 'CONTAINER_RUNNING') return { running: { startedAt: time(s.startedAt) } };
  if (s.state === 'CONTAINER_EXITED' || s.state === 'CONTAINER_UNKNOWN') {
    const t: Obj = { exitCode: s.exitCode, reason: s.reason || undefined, message: s.message || undefined,
      // A container that never started reports the epoch, as the kubelet's zero time.Time does.
      startedAt: time(s.startedAt), finishedAt: time(s.finishedAt),
      containerID: containerID(c.id) };
    for (const k of Object.keys(t)) if (t[k] === undefined) delete t[k];
    return { terminated: t };
  }
  return { waiting: {} };
}

function containerStatuses(i: StatusInput, specs: Obj[], isInit: boolean): Obj[] {
  const hasInit = (i.pod.spec?.initContainers ?? []).length > 0;
  const out = specs.map((spec) => {
    const all = containersNamed(i.runtime, spec.name);
    const [latest, previous] = all;
    const s: Obj = { name: spec.name, state: { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } }, lastState: {},
      ready: false, restartCount: 0, image: spec.image, imageID: '', started: false };
    if (latest) {
      s.state = stateOf(latest);
      s.restartCount = latest.restartCount;
      s.image = latest.status.image?.image || spec.image;
      s.imageID = latest.status.imageRef ?? '';
      s.containerID = containerID(latest.id);
      const running = latest.state === 'CONTAINER_RUNNING';
      s.started = running && i.isStarted(latest.id);
      if (isInit && !isSidecar(spec)) s.ready = latest.state === 'CONTAINER_EXITED' && latest.status.exitCode === 0;
      else s.ready = running && s.started && i.isReady(latest.id);
      if (previous && previous.state !== 'CONTAINER_RUNNING') s.lastState = stateOf(previous);
    }
    // A container that the next sync restarts shows why it is not running yet (reasonCache).
    const why = i.reasons.get(spec.name);
    if (why && shouldContainerBeRestarted(i.pod, latest, spec)) {
      if (s.state.terminated) s.lastState = s.state;
      s.state = { waiting: { reason: why.reason, message: why.message } };
    }
    return s;
  });
  return isInit ? out : out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** kubelet's getPhase. `terminal`: the pod will run nothing more (deleted or finished). */
export function podPhase(pod: Obj, init: Obj[], regular: Obj[], terminal = false): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (isSidecar(c)) {
      // Sidecars count as running while they run; their exits do not decide the phase.
      if (!s) { unknown++; continue; }
      if (s.state.running) { running++; if (!s.started) pendingInit++; }
      else if (s.state.waiting && !s.lastState?.terminated) { pendingInit++; waiting++; }
      else if (!s.state.terminated && !s.state.waiting) { pendingInit++; unknown++; }
      continue;
    }
    if (!s) pendingInit++;
    else if (s.state.running) pendingInit++;
    else if (s.state.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
      else pendingInit++;
    } else pendingInit++;
  }
  for (const c of pod.spec?.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state.running || s.state.terminated || s.lastState?.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

const list = (names: string[]) => `[${names.join(' ')}]`;
const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
  const c: Obj = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
};

function initializedCondition(pod: Obj, init: Obj[], regular: Obj[], phase: string): Obj {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (isSidecar(c) ? !s.started : !(s.state.terminated?.exitCode === 0)) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('Initialized', true, 'PodCompleted');
  if (regular.some((s) => s.state.running || s.state.terminated || s.lastState?.terminated)) return cond('Initialized', true);
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${list(incomplete)}`);
  return msgs.length ? cond('Initialized', false, 'ContainersNotInitialized', msgs.join(', ')) : cond('Initialized', true);
}

function containersReadyCondition(pod: Obj, init: Obj[], regular: Obj[], phase: string): Obj {
  const unknown: string[] = [];
  const unready: string[] = [];
  const sidecars: Obj[] = (pod.spec?.initContainers ?? []).filter(isSidecar);
  for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
    const s = (isSidecar(c) ? init : regular).find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('ContainersReady', false, 'PodCompleted');
  if (phase === 'Failed') return cond('ContainersReady', false, 'PodFailed');
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${list(unready)}`);
  return msgs.length ? cond('ContainersReady', false, 'ContainersNotReady', msgs.join(', ')) : cond('ContainersReady', true);
}

/** The readiness gates' conditions as others set them; Ready needs each to be True. */
function readyCondition(pod: Obj, containersReady: Obj): Obj {
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const missing: string[] = [];
  const notTrue: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = (pod.status?.conditions ?? []).find((x: Obj) => x.type === g.conditionType);
    if (!c) missing.push(g.conditionType);
    else if (c.status !== 'True') notTrue.push(g.conditionType);
  }
  const msgs: string[] = [];
  if (missing.length) msgs.push(`corresponding condition of pod readiness gate "${missing.join('", "')}" does not exist.`);
  if (notTrue.length) msgs.push(`the status of pod readiness gate "${notTrue.join('", "')}" is not "True", but False`);
  return msgs.length ? cond('Ready', false, 'ReadinessGatesNotReady', msgs.join(', ')) : cond('Ready', true);
}

/**
 * The status for `i.pod` without timestamps of its own: conditions have no lastTransitionTime and
 * startTime is unset (mergeStatus adds them against the previous status).
 */
export function generatePodStatus(i: StatusInput, terminal = false): Obj {
  const pod = i.pod;
  const init = containerStatuses(i, pod.spec?.initContainers ?? [], true);
  const regular = containerStatuses(i, pod.spec?.containers ?? [], false);
  const phase = podPhase(pod, init, regular, terminal);
  const sandbox = i.runtime.sandboxes[0];
  const networkReady = sandbox?.state === 'SANDBOX_READY' && (pod.spec?.hostNetwork || i.podIPs.length > 0);
  const containersReady = containersReadyCondition(pod, init, regular, phase);
  const status: Obj = {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', !!networkReady),
      initializedCondition(pod, init, regular, phase),
      readyCondition(pod, containersReady),
      containersReady,
      cond('PodScheduled', true),
    ],
    hostIP: i.hostIP,
    hostIPs: [{ ip: i.hostIP }],
    containerStatuses: regular,
    qosClass: i.qosClass,
  };
  if (i.podIPs.length) {
    status.podIP = i.podIPs[0];
    status.podIPs = i.podIPs.map((ip) => ({ ip }));
  }
  if (init.length) status.initContainerStatuses = init;
  return status;
}

/** Whether a computed status means the pod will run nothing more. */
export const isTerminalPhase = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed';

/**
 * The status to write: `next` with lastTransitionTime kept from `old` for conditions whose status
 * did not change (else `now`), conditions the kubelet does not own kept from `old`, startTime kept
 * (or set now), and the pod IPs kept once the sandbox is gone.
 */
export function mergeStatus(old: Obj | undefined, next: Obj, now: number): Obj {
  const at = rfc3339(now);
  const oldConds: Obj[] = old?.conditions ?? [];
  const conditions = ((next.conditions ?? []) as Obj[]).map((c) => {
    const prev = oldConds.find((o) => o.type === c.type);
    // The scheduler's PodScheduled stays as it wrote it.
    if (c.type === 'PodScheduled' && prev?.status === 'True') return prev;
    return { ...c, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : at };
  });
  const others = oldConds.filter((c) => !conditions.some((k) => k.type === c.type));
  const out: Obj = { ...next, conditions: [...conditions, ...others] };
  out.startTime = old?.startTime ?? at;
  if (!out.podIP && old?.podIP) {
    out.podIP = old.podIP;
    out.podIPs = old.podIPs;
  }
  if (old?.nominatedNodeName) out.nominatedNodeName = old.nominatedNodeName;
  // Keep the order of fields stable for comparison: JSON has no undefined.
  return JSON.parse(JSON.stringify(out));
}
