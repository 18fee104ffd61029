/**
 * @module The node agent of `tug server` (and later `tug agent`): the pod network's CNI config, its
 * own supervised containerd (or a given CRI endpoint), tugboat's local images, the kubelet's HTTPS
 * server for logs/exec/port-forward, and the kubelet itself. Stopping it leaves pods running: the
 * next start adopts them (`tug reset` removes them).
 */
import { mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { serviceIPAt } from '../apiserver/services/service-ip.js';
import type { Client } from '../client/client.js';
import { startContainerd, type ManagedContainerd } from '../kubelet/containerd/supervisor.js';
import { CRIClient } from '../kubelet/cri/client.js';
import { ensureLocalImage } from '../kubelet/images/local-images.js';
import { TEST_IMAGE } from '../kubelet/images/names.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { agentLayout, writeAgentLayout, type AgentLayout } from '../kubelet/layout.js';
import { startKubeletServer } from '../kubelet/server/server.js';
import { startNodeNetwork, waitForPodCIDR, type NodeNetwork } from './node-network.js';

export interface NodeAgentOptions {
  dataDir: string;
  nodeName: string;
  /** Default: the first non-internal IPv4 address of this machine. */
  nodeIP?: string;
  kubeletPort: number;
  /** The cluster's pod network; the node IPAM controller gives this node a /24 of it. */
  clusterCIDR: string;
  /** The cluster's service network: pods' nameserver is its 10th address (kube-dns). */
  serviceCIDR: string;
  clusterDomain?: string;
  /** The port of the node's DNS server on its bridge gateway (default 53). */
  dnsPort?: number;
  /** The ingress proxy's ports (none: no ingress on this node). */
  ingress?: { httpPort: number; httpsPort: number };
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
  /** Stops the kubelet, its server, the node's network services and containerd; the pods keep running. */
  stop(): Promise<void>;
}

export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const nodeIP = o.nodeIP ?? defaultNodeIP();
  const clusterDomain = o.clusterDomain ?? 'cluster.local';
  const layout = agentLayout({ dataDir: o.dataDir, nodeName: o.nodeName, runtimeEndpoint: o.runtimeEndpoint, bridge: o.bridge,
    cgroupRoot: o.cgroupRoot });
  await Promise.all([layout.rootDir, layout.logRoot, layout.cniDataDir, layout.containerdDir].map((d) => mkdir(d, { recursive: true })));
  writeAgentLayout(o.dataDir, layout);
  let containerd: ManagedContainerd | undefined;
  if (layout.managedContainerd) containerd = await startContainerd({ dir: layout.containerdDir, cniConfDir: layout.cniConfDir, log: o.log });
  // The kubelet's --runtime-request-timeout (2 min): a burst of pod starts on a small node makes
  // one RunPodSandbox take longer than 30 s, and a call cut short is only started again.
  const cri = new CRIClient(layout.runtimeEndpoint, { timeoutMs: 120_000 });
  let network: NodeNetwork | undefined;
  const stops: (() => Promise<void>)[] = [async () => cri.close(), async () => containerd?.stop()];
  const stopAll = async () => { for (const s of stops.splice(0).reverse()) await s().catch((e) => o.log.warn(`node agent stop: ${e}`)); };
  try {
    // The test image is tugboat's own busybox: examples and tests run it without a registry.
    if (containerd) await ensureLocalImage(layout.runtimeEndpoint, TEST_IMAGE, `${layout.containerdDir}/images`);
    const server = await startKubeletServer({ runtime: cri, port: o.kubeletPort, host: nodeIP, tls: o.tls, log: o.log });
    stops.push(() => server.close());
    // Pods start only once the node's network is up: its subnet is the Node's podCIDR.
    const beforePods = async (node: Record<string, any>, signal: AbortSignal) => {
      const subnet = await waitForPodCIDR(o.client, node, signal, o.log);
      if (!subnet) return;
      network = await startNodeNetwork({ client: o.client, nodeName: o.nodeName, nodeIP, clusterCIDR: o.clusterCIDR, clusterDomain,
        dataDir: o.dataDir, layout, dnsPort: o.dnsPort ?? 53, ingress: o.ingress, log: o.log }, node, subnet);
    };
    const kubelet = new Kubelet({ client: o.client, nodeName: o.nodeName, nodeIP, runtime: cri, images: cri, rootDir: layout.rootDir,
      logRoot: layout.logRoot, cgroupRoot: layout.cgroupRoot, kubeletPort: server.port, log: o.log, beforePods,
      dns: { clusterDNS: [serviceIPAt(o.serviceCIDR, 10)], clusterDomain } });
    const running = new AbortController();
    const done = kubelet.run(running.signal).catch((e) => o.log.error(`kubelet stopped: ${e instanceof Error ? e.stack : e}`));
    stops.push(async () => { running.abort(); await done; await network?.stop(); });
    o.log.info(`node agent: node ${o.nodeName} at ${nodeIP}, kubelet port ${server.port}`);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { layout, stop: stopAll };
}
