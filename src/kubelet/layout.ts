/**
 * @module Where a node agent keeps things on the host, derived from the data dir and its flags, and
 * recorded in DATA_DIR/agent.json so that `tug reset` (and tests) can find and remove all of it
 * after the server has gone: containerd's dir and socket, the CNI bridge, network and IP
 * reservations, the pods' cgroup root, volume and log directories.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentLayout {
  nodeName: string;
  /** CRI endpoint, unix:///abs/path. */
  runtimeEndpoint: string;
  /** True when tugboat started this containerd (its dir is containerdDir). */
  managedContainerd: boolean;
  containerdDir: string;
  bridge: string;
  /** The node's pod subnet (its Node's podCIDR), once the control plane has given it one. */
  subnet?: string;
  /** The service proxy's nftables table (family ip). */
  proxyTable: string;
  cniConfDir: string;
  /** host-local's dataDir: one file per reserved IP under <cniDataDir>/<cniNetwork>/. */
  cniDataDir: string;
  cniNetwork: string;
  /** Pods' cgroups live at <cgroupRoot>/<qos>/pod<uid> in every hierarchy. */
  cgroupRoot: string;
  /** Volumes: <rootDir>/pods/<uid>/volumes/… */
  rootDir: string;
  /** Container logs: <logRoot>/<ns>_<pod>_<uid>/<container>/<restart>.log */
  logRoot: string;
}

export interface LayoutFlags {
  dataDir: string;
  nodeName: string;
  runtimeEndpoint?: string;
  bridge: string;
  cgroupRoot: string;
}

export const CNI_NETWORK = 'tugboat';

export function agentLayout(f: LayoutFlags): AgentLayout {
  const containerdDir = join(f.dataDir, 'containerd');
  return {
    nodeName: f.nodeName,
    runtimeEndpoint: f.runtimeEndpoint ?? `unix://${join(containerdDir, 'containerd.sock')}`,
    managedContainerd: !f.runtimeEndpoint,
    containerdDir,
    bridge: f.bridge,
    // One table per node (named by its bridge), so several test nodes can share a machine.
    proxyTable: `tugboat-svc-${f.bridge}`,
    cniConfDir: join(f.dataDir, 'cni', 'net.d'),
    cniDataDir: join(f.dataDir, 'cni', 'networks'),
    cniNetwork: CNI_NETWORK,
    cgroupRoot: f.cgroupRoot,
    rootDir: join(f.dataDir, 'kubelet'),
    logRoot: join(f.dataDir, 'logs', 'pods'),
  };
}

const layoutFile = (dataDir: string) => join(dataDir, 'agent.json');

export function writeAgentLayout(dataDir: string, layout: AgentLayout): void {
  writeFileSync(layoutFile(dataDir), JSON.stringify(layout, null, 2) + '\n', { mode: 0o600 });
}

/** The layout the last agent on this data dir recorded; throws when none ran there. */
export function readAgentLayout(dataDir: string): AgentLayout {
  try {
    return JSON.parse(readFileSync(layoutFile(dataDir), 'utf8')) as AgentLayout;
  } catch (e) {
    throw new Error(`no node agent has run with data dir ${dataDir} (${(e as Error).message})`);
  }
}
