/**
 * @module Pod and container securityContext as CRI security contexts (kuberuntime's
 * determineEffectiveSecurityContext and generatePodSandboxLinuxConfig): the container's fields
 * override the pod's for runAsUser/runAsGroup/runAsNonRoot; namespaces come from hostNetwork,
 * hostPID, hostIPC and shareProcessNamespace.
 */
import type { Obj } from '../../client/client.js';
import type { LinuxContainerSecurityContext, LinuxSandboxSecurityContext, NamespaceOption } from '../cri/types.js';
import { ContainerConfigError } from './errors.js';

/** What runc masks and makes read-only in /proc and /sys unless procMount is Unmasked. */
export const DefaultMaskedPaths = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'];
export const DefaultReadonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** runtimeutil.NamespacesForPod. */
export function namespacesForPod(pod: Obj): NamespaceOption {
  const spec = pod.spec ?? {};
  return {
    network: spec.hostNetwork ? 'NODE' : 'POD',
    pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec.hostIPC ? 'NODE' : 'POD',
  };
}

/** fsGroup first, then supplementalGroups, as the kubelet lists them. */
function supplementalGroups(podSc: Obj): number[] {
  const groups: number[] = [];
  if (podSc.fsGroup !== undefined && podSc.fsGroup !== null) groups.push(Number(podSc.fsGroup));
  for (const g of podSc.supplementalGroups ?? []) groups.push(Number(g));
  return groups;
}

const hasPrivilegedContainer = (pod: Obj) =>
  [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c: Obj) => c.securityContext?.privileged === true);

export function sandboxSecurityContext(pod: Obj): LinuxSandboxSecurityContext {
  const podSc = pod.spec?.securityContext ?? {};
  const sc: LinuxSandboxSecurityContext = { namespaceOptions: namespacesForPod(pod), privileged: hasPrivilegedContainer(pod) };
  if (podSc.runAsUser !== undefined && podSc.runAsUser !== null) sc.runAsUser = { value: Number(podSc.runAsUser) };
  if (podSc.runAsGroup !== undefined && podSc.runAsGroup !== null) sc.runAsGroup = { value: Number(podSc.runAsGroup) };
  const groups = supplementalGroups(podSc);
  if (groups.length) sc.supplementalGroups = groups;
  return sc;
}

/** The pod's runAsUser/runAsGroup/runAsNonRoot unless the container sets its own. */
function effective(pod: Obj, container: Obj): Obj {
  const podSc = pod.spec?.securityContext ?? {};
  const sc = { ...(container.securityContext ?? {}) };
  for (const k of ['runAsUser', 'runAsGroup', 'runAsNonRoot']) if (sc[k] === undefined || sc[k] === null) sc[k] = podSc[k];
  return sc;
}

/**
 * kuberuntime verifyRunAsNonRoot for what the pod says: runAsNonRoot with runAsUser 0 is refused;
 * with no runAsUser the image's user (when the caller knows it) must be numeric and non-zero.
 */
function verifyRunAsNonRoot(pod: Obj, container: Obj, sc: Obj, imageUser: string | undefined): void {
  if (sc.runAsNonRoot !== true) return;
  const who = `(pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${container.name})`;
  if (sc.runAsUser !== undefined && sc.runAsUser !== null) {
    if (Number(sc.runAsUser) === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${who}`);
    return;
  }
  if (imageUser === undefined) return;
  const user = imageUser.split(':')[0];
  if (user === '' || user === '0' || user === 'root') throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`);
  if (!/^\d+$/.test(user)) throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${who}`);
}

export function containerSecurityContext(pod: Obj, container: Obj, imageUser?: string): LinuxContainerSecurityContext {
  const sc = effective(pod, container);
  verifyRunAsNonRoot(pod, container, sc, imageUser);
  const out: LinuxContainerSecurityContext = { namespaceOptions: namespacesForPod(pod) };
  const caps = sc.capabilities;
  if (caps?.add?.length || caps?.drop?.length) {
    out.capabilities = { addCapabilities: [...(caps.add ?? [])], dropCapabilities: [...(caps.drop ?? [])] };
  }
  if (sc.privileged === true) out.privileged = true;
  if (sc.readOnlyRootFilesystem === true) out.readonlyRootfs = true;
  if (sc.runAsUser !== undefined && sc.runAsUser !== null) out.runAsUser = { value: Number(sc.runAsUser) };
  if (sc.runAsGroup !== undefined && sc.runAsGroup !== null) out.runAsGroup = { value: Number(sc.runAsGroup) };
  const groups = supplementalGroups(pod.spec?.securityContext ?? {});
  if (groups.length) out.supplementalGroups = groups;
  // Only an explicit allowPrivilegeEscalation: false sets no_new_privs (securitycontext.AddNoNewPrivileges).
  if (sc.allowPrivilegeEscalation === false) out.noNewPrivs = true;
  const unmasked = sc.procMount === 'Unmasked';
  out.maskedPaths = unmasked ? [] : [...DefaultMaskedPaths];
  out.readonlyPaths = unmasked ? [] : [...DefaultReadonlyPaths];
  return out;
}
