/**
 * @module The node agent of `tug server` (and later `tug agent`): the pod network's CNI config, its
 * own supervised containerd (or a given CRI endpoint), tugboat's local images, the kubelet's HTTPS
 * server for logs/exec/port-forward, and the kubelet itself. Stopping it leaves pods running: the
 * next start adopts them (`tug reset` removes them).
 */
import { mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { Client } from '../client/client.js';
import { writeCNIConfig } from '../kubelet/cni/config.js';
import { installMasquerade } from '../kubelet/cni/masquerade.js';
import { startContainerd, type ManagedContainerd } from '../kubelet/containerd/supervisor.js';
import { CRIClient } from '../kubelet/cri/client.js';
import { ensureLocalImage } from '../kubelet/images/local-images.js';
import { TEST_IMAGE } from '../kubelet/images/names.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { agentLayout, writeAgentLayout, type AgentLayout } from '../kubelet/layout.js';
import { startKubeletServer } from '../kubelet/server/server.js';

export interface NodeAgentOptions {
  dataDir: string;
  nodeName: string;
  /** Default: the first non-internal IPv4 address of this machine. */
  nodeIP?: string;
  kubeletPort: number;
  /** The cluster's pod network; this node takes its first /24. */
  clusterCIDR: string;
  bridge: string;
  cgroupRoot: string;
  /** A CRI endpoint to use instead of starting containerd. */
  runtimeEndpoint?: string;
  client: Client;
  /** The kubelet's serving certificate, and the CA its clients' certificates chain to. */
  tls: { cert: string; key: string; ca: string };
  log: Logger;
}

export interface NodeAgent {
  layout: AgentLayout;
  /** Stops the kubelet, its server and containerd; the pods keep running. */
  stop(): Promise<void>;
}

/** The first /24 of the cluster CIDR: this node's pod subnet until the control plane hands out podCIDRs. */
export function firstSubnet(clusterCIDR: string): string {
  const [ip] = clusterCIDR.split('/');
  const o = ip!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${o[2]}.0/24`;
}

export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const nodeIP = o.nodeIP ?? defaultNodeIP();
  const layout = agentLayout({ dataDir: o.dataDir, nodeName: o.nodeName, runtimeEndpoint: o.runtimeEndpoint, bridge: o.bridge,
    subnet: firstSubnet(o.clusterCIDR), cgroupRoot: o.cgroupRoot });
  await Promise.all([layout.rootDir, layout.logRoot, layout.cniDataDir, layout.containerdDir].map((d) => mkdir(d, { recursive: true })));
  writeAgentLayout(o.dataDir, layout);
  await writeCNIConfig({ confDir: layout.cniConfDir, bridge: layout.bridge, subnet: layout.subnet, dataDir: layout.cniDataDir });
  // Pods' outbound NAT; it stays when the agent stops, as the pods do (`tug reset` removes it).
  await installMasquerade(layout.bridge, layout.subnet);
  let containerd: ManagedContainerd | undefined;
  if (layout.managedContainerd) containerd = await startContainerd({ dir: layout.containerdDir, cniConfDir: layout.cniConfDir, log: o.log });
  // The kubelet's --runtime-request-timeout (2 min): a burst of pod starts on a small node makes
  // one RunPodSandbox take longer than 30 s, and a call cut short is only started again.
  const cri = new CRIClient(layout.runtimeEndpoint, { timeoutMs: 120_000 });
  const stops: (() => Promise<void>)[] = [async () => cri.close(), async () => containerd?.stop()];
  const stopAll = async () => { for (const s of stops.splice(0).reverse()) await s().catch((e) => o.log.warn(`node agent stop: ${e}`)); };
  try {
    // The test image is tugboat's own busybox: examples and tests run it without a registry.
    if (containerd) await ensureLocalImage(layout.runtimeEndpoint, TEST_IMAGE, `${layout.containerdDir}/images`);
    const server = await startKubeletServer({ runtime: cri, port: o.kubeletPort, host: nodeIP, tls: o.tls, log: o.log });
    stops.push(() => server.close());
    const kubelet = new Kubelet({ client: o.client, nodeName: o.nodeName, nodeIP, runtime: cri, images: cri, rootDir: layout.rootDir,
      logRoot: layout.logRoot, cgroupRoot: layout.cgroupRoot, podCIDR: layout.subnet, kubeletPort: server.port, log: o.log });
    const running = new AbortController();
    const done = kubelet.run(running.signal).catch((e) => o.log.error(`kubelet stopped: ${e instanceof Error ? e.stack : e}`));
    stops.push(async () => { running.abort(); await done; });
    o.log.info(`node agent: node ${o.nodeName} at ${nodeIP}, kubelet port ${server.port}, pods in ${layout.subnet} on ${layout.bridge}`);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { layout, stop: stopAll };
}
