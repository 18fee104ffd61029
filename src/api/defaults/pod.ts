/**
 * @module Pod and pod-template defaulting (core/v1 SetDefaults_PodSpec, _Container, _Probe, volume
 * sources and the generated per-field defaults). Pod-only defaults stay out of templates, as upstream
 * keeps them out so that workloads do not roll on an upgrade.
 */
import type { Container, Pod, PodSpec, PodTemplateSpec, Probe, Volume } from 'kubernetes-types/core/v1.js';

/** Always for ":latest" or no tag (a digest counts as pinned), else IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const ref = image ?? '';
  if (ref.includes('@')) return 'IfNotPresent';
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon < 0 ? 'latest' : lastPart.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: { httpGet?: { path?: string; scheme?: string }; grpc?: { service?: string } } | undefined): void {
  if (h?.httpGet) {
    h.httpGet.path ||= '/';
    h.httpGet.scheme ||= 'HTTP';
  }
  if (h?.grpc) h.grpc.service ??= '';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
}

export function defaultContainer(c: Container): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image);
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const defaultMode = 0o644; // 420, as kubectl shows it

function defaultVolume(v: Volume): void {
  // A volume with no source is an emptyDir.
  if (!Object.keys(v).some((k) => k !== 'name')) v.emptyDir = {};
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.configMap) v.configMap.defaultMode ??= defaultMode;
  if (v.secret) v.secret.defaultMode ??= defaultMode;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= defaultMode;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= defaultMode;
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken) src.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
    }
  }
}

/** A hostNetwork pod's ports are the host's ports (Pods only: templates keep hostPort unset since 1.28). */
function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) for (const p of c.ports ?? []) p.hostPort ||= p.containerPort;
}

export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

export const defaultPodTemplate = (t: PodTemplateSpec | undefined) => defaultPodSpec(t?.spec);

/** Requests default to limits per resource; only on Pods, since templates keep what the user wrote. */
function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources) return;
  const requests = (c.resources.requests ??= {});
  for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
}

/**
 * SetDefaults_Pod plus the pod spec. priority and preemptionPolicy are what the Priority admission
 * step gives a pod without a class; a pod naming a class is left for that step to resolve.
 */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultRequestsFromLimits(c);
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  spec.enableServiceLinks ??= true;
  if (!spec.priorityClassName) {
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
  }
}
