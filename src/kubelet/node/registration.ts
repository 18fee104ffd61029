/**
 * @module Node registration as the kubelet does it: create the Node, or adopt the one that exists
 * (a restart), giving it the pod CIDR when it has none. Shared by the real kubelet and hollow nodes.
 */
import { isAlreadyExists } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** This machine's architecture as Go names it (GOARCH). */
export const nodeArch = (): string => ARCH[process.arch] ?? process.arch;

/** The well-known labels a kubelet puts on its Node, plus `extra`. */
export function nodeLabels(nodeName: string, extra?: Record<string, string>): Record<string, string> {
  const arch = nodeArch();
  return { 'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', ...extra };
}

export interface RegisterResult {
  /** The Node as stored after registration. */
  node: Obj;
  /** False when the Node existed already (its status still has to be reported). */
  created: boolean;
}

/**
 * Creates `node`; when it exists, keeps it and sets spec.podCIDR(s) from `node` if the stored one
 * has none (a pod CIDR once given is never changed). Throws on API errors.
 */
export async function registerNode(client: Client, node: Obj): Promise<RegisterResult> {
  const nodes = ref('Node');
  try {
    return { node: await client.create(nodes, node), created: true };
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  let existing = await client.get(nodes, node.metadata.name);
  const cidr = node.spec?.podCIDR;
  if (cidr && !existing.spec?.podCIDR) {
    existing = await client.patch(nodes, node.metadata.name, 'merge', { spec: { podCIDR: cidr, podCIDRs: node.spec.podCIDRs ?? [cidr] } });
  }
  return { node: existing, created: false };
}
