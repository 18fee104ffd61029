/**
 * @module The node's share of the cluster network, set up once its Node has a podCIDR from the node
 * IPAM controller (before any pod starts): the CNI config and bridge for that subnet, masquerade
 * for traffic leaving the cluster, the node's DNS server on the bridge gateway (registered as this
 * node's kube-dns endpoint), the service proxy, host-gw routes to the other nodes' pods, and the
 * ingress proxy.
 */
import pino, { type Logger } from 'pino';
import type { Client, Obj } from '../client/client.js';
import { sleep } from '../client/informer.js';
import { ref } from '../client/kind-ref.js';
import { startClusterDNS, registerNodeDNSEndpoint } from '../dns/index.js';
import { ensureBridge, gatewayIP } from '../kubelet/cni/bridge.js';
import { writeCNIConfig } from '../kubelet/cni/config.js';
import { installMasquerade } from '../kubelet/cni/masquerade.js';
import { writeAgentLayout, type AgentLayout } from '../kubelet/layout.js';
import { startPodRoutes } from '../kubelet/network/routes.js';
import { startIngressProxy } from '../ingress/proxy/index.js';
import { startIngressRoutes } from '../ingress/routes/index.js';
import { startServiceProxy } from '../proxy/index.js';

export interface NodeNetworkOptions {
  client: Client;
  nodeName: string;
  nodeIP: string;
  clusterCIDR: string;
  clusterDomain: string;
  dataDir: string;
  layout: AgentLayout;
  /** The port of the node's DNS server on the bridge gateway (53; tests may pick another). */
  dnsPort: number;
  /** The ingress proxy's ports on all of the node's addresses; none: no ingress on this node. */
  ingress?: { httpPort: number; httpsPort: number };
  log: Logger;
}

export interface NodeNetwork {
  subnet: string;
  stop(): Promise<void>;
}

/** The Node's spec.podCIDR, waiting (re-reading the Node) until the node IPAM controller has set it. */
export async function waitForPodCIDR(client: Client, node: Obj, signal: AbortSignal, log: Logger): Promise<string | undefined> {
  let current = node;
  for (let waited = 0; !signal.aborted; waited += 500) {
    const cidr = current.spec?.podCIDR as string | undefined;
    if (cidr) return cidr;
    if (waited % 10_000 === 0) log.info(`node ${node.metadata.name}: waiting for a podCIDR from the node IPAM controller`);
    await sleep(500, signal);
    current = await client.get(ref('Node'), node.metadata.name).catch(() => current);
  }
  return undefined;
}

/**
 * Sets up the node's network for `subnet`; what started is stopped again when a later step fails.
 * The CNI config, bridge and masquerade stay when the agent stops (its pods keep running); the
 * DNS server, the proxy's table and the routes go with it.
 */
export async function startNodeNetwork(o: NodeNetworkOptions, node: Obj, subnet: string): Promise<NodeNetwork> {
  const { layout, log } = o;
  layout.subnet = subnet;
  writeAgentLayout(o.dataDir, layout);
  await writeCNIConfig({ confDir: layout.cniConfDir, bridge: layout.bridge, subnet, dataDir: layout.cniDataDir });
  await ensureBridge(layout.bridge, subnet);
  await installMasquerade(layout.bridge, subnet, o.clusterCIDR);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => { for (const s of stops.splice(0).reverse()) await s().catch((e) => log.warn(`node network stop: ${e}`)); };
  try {
    const gateway = gatewayIP(subnet);
    const dns = await startClusterDNS({ client: o.client, host: gateway, port: o.dnsPort, clusterDomain: o.clusterDomain, log });
    stops.push(() => dns.stop());
    await registerNodeDNSEndpoint(o.client, { nodeName: o.nodeName, nodeUID: node.metadata.uid, address: gateway, port: dns.port });
    const proxy = await startServiceProxy({ client: o.client, nodeName: o.nodeName, nodeIPs: [o.nodeIP], clusterCIDR: o.clusterCIDR,
      table: layout.proxyTable, log });
    stops.push(() => proxy.stop());
    const routes = await startPodRoutes({ client: o.client, nodeName: o.nodeName, log });
    stops.push(() => routes.stop());
    await proxy.ready;
    log.info(`node network: pods in ${subnet} on ${layout.bridge}, DNS on ${gateway}:${dns.port}, proxy table ${layout.proxyTable}`);
    if (o.ingress) {
      const routes = await startIngressRoutes({ client: o.client, log });
      stops.push(() => routes.stop());
      // One access line per request, written to stderr in batches: a synchronous write per request cost about a tenth of the proxy's requests/s here.
      const accessLog = pino({ level: log.level, base: { component: 'ingress' } }, pino.destination({ dest: 2, sync: false, minLength: 4096 }));
      stops.push(async () => accessLog.flush());
      const ingress = await startIngressProxy({ routes, host: '0.0.0.0', httpPort: o.ingress.httpPort, httpsPort: o.ingress.httpsPort, log: accessLog });
      stops.push(() => ingress.stop());
      log.info(`ingress: http on port ${ingress.httpPort}, https on port ${ingress.httpsPort}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { subnet, stop };
}
