/**
 * @module A pod as a CRI PodSandboxConfig (kuberuntime generatePodSandboxConfig): metadata,
 * hostname, log directory, DNS, port mappings, cgroup parent, namespaces and the sandbox's
 * security context. RunPodSandbox and every CreateContainer of the pod take the same config.
 */
import { posix } from 'node:path';
import type { Obj } from '../../client/client.js';
import type { PodSandboxConfig, PortMapping, Protocol } from '../cri/types.js';
import { podCgroupParent } from './cgroups.js';
import { podDNSConfig, type DNSOptions } from './dns.js';
import { kernelHostname } from './hostname.js';
import { sandboxLabels } from './labels.js';
import { sandboxResources } from './resources.js';
import { sandboxSecurityContext } from './security-context.js';

export interface SandboxConfigOptions {
  /** Containers' logs go to `<logRoot>/<ns>_<name>_<uid>/`. */
  logRoot: string;
  /** Pods' cgroups go under it (see podCgroupParent). */
  cgroupRoot: string;
  /** How many sandboxes this pod had before (CRI metadata.attempt); default 0. */
  attempt?: number;
  /** Cluster DNS servers and domain, and the host's resolv.conf; without them pods use the host's resolver. */
  dns?: DNSOptions;
}

/** BuildPodLogsDirectory. */
export const podLogDirectory = (logRoot: string, pod: Obj) =>
  posix.join(logRoot, `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);

/**
 * kubecontainer.MakePortMappings over the pod's (non-init) containers: every declared port, a
 * repeated name (or repeated family/protocol/ip/port combination) only once per container.
 */
function portMappings(pod: Obj): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const names = new Set<string>();
    for (const p of c.ports ?? []) {
      const protocol: Protocol = p.protocol ?? 'TCP';
      const family = !p.hostIP ? 'any' : String(p.hostIP).includes(':') ? 'v6' : 'v4';
      const name = p.name || `${family}-${protocol}-${p.hostIP ?? ''}:${p.containerPort}:${p.hostPort ?? 0}`;
      if (names.has(name)) continue;
      names.add(name);
      const m: PortMapping = { protocol, containerPort: Number(p.containerPort) };
      if (p.hostPort) m.hostPort = Number(p.hostPort);
      if (p.hostIP) m.hostIp = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

function requireMeta(pod: Obj): void {
  const m = pod.metadata ?? {};
  for (const k of ['name', 'namespace', 'uid']) {
    if (typeof m[k] !== 'string' || !m[k]) throw new Error(`pod has no metadata.${k}: cannot make its sandbox config`);
  }
}

/**
 * Throws Error for a pod that cannot have a sandbox (no name/namespace/uid, an invalid
 * hostname or subdomain, a malformed resource quantity).
 */
export function buildSandboxConfig(pod: Obj, o: SandboxConfigOptions): PodSandboxConfig {
  requireMeta(pod);
  const m = pod.metadata;
  const hostNetwork = pod.spec?.hostNetwork === true;
  const sysctls = Object.fromEntries((pod.spec?.securityContext?.sysctls ?? []).map((s: Obj) => [s.name, String(s.value)]));
  const cfg: PodSandboxConfig = {
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, attempt: o.attempt ?? 0 },
    // hostNetwork pods keep the node's name: containerd refuses a hostname for them.
    hostname: hostNetwork ? '' : kernelHostname(pod, o.dns?.clusterDomain ?? 'cluster.local'),
    logDirectory: podLogDirectory(o.logRoot, pod),
    dnsConfig: podDNSConfig(pod, o.dns),
    labels: sandboxLabels(pod),
    annotations: { ...(m.annotations ?? {}) },
    linux: {
      cgroupParent: podCgroupParent(pod, o.cgroupRoot),
      securityContext: sandboxSecurityContext(pod),
      sysctls,
      resources: sandboxResources(pod),
    },
  };
  const ports = portMappings(pod);
  if (ports.length) cfg.portMappings = ports;
  return cfg;
}
