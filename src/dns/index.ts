/**
 * @module Cluster DNS, as CoreDNS's kubernetes plugin: each node agent runs one on its bridge
 * gateway, answering the cluster domain from informers (Services, EndpointSlices, Namespaces) and
 * forwarding other names upstream; kube-system/kube-dns points at these servers.
 */
import type { Logger } from 'pino';
import type { Client } from '../client/client.js';
import { InformerFactory, type Informer } from '../client/informer.js';
import { ref } from '../client/kind-ref.js';
import { Forwarder, parseUpstream, resolvConfUpstreams } from './forward.js';
import { RecordIndex } from './record-index.js';
import { DNSServer } from './server.js';

export { ensureKubeDNSService, registerNodeDNSEndpoint } from './kube-dns.js';

export interface ClusterDNSOptions {
  /** Lists and watches Services, EndpointSlices (discovery.k8s.io/v1) and Namespaces. */
  client: Client;
  /** Listen address (the node's bridge gateway IP) and port (53; 0 picks one, for tests). */
  host: string;
  port: number;
  /** Default 'cluster.local'. */
  clusterDomain?: string;
  /** Forwarders for other names ("ip" or "ip:port"); default: the nameservers of /etc/resolv.conf, never this server. */
  upstream?: string[];
  log: Logger;
}

export interface ClusterDNS {
  /** The port bound (UDP and TCP). */
  port: number;
  /** Resolves once the informers have synced; cluster names get SERVFAIL until then. */
  ready: Promise<void>;
  /** Closes the sockets and stops the informers. */
  stop(): Promise<void>;
}

/** Starts the DNS server on host:port (UDP and TCP). Throws when the address cannot be bound. */
export async function startClusterDNS(o: ClusterDNSOptions): Promise<ClusterDNS> {
  const zone = (o.clusterDomain ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
  const index = new RecordIndex();
  const factory = new InformerFactory(o.client);
  const informers: Informer[] = [
    watch(factory.informer(ref('Service').type), (x) => index.setService(x), (x) => index.deleteService(x)),
    watch(factory.informer(ref('EndpointSlice', undefined, 'discovery.k8s.io/v1').type), (x) => index.setSlice(x), (x) => index.deleteSlice(x)),
    watch(factory.informer(ref('Namespace').type), (x) => index.setNamespace(x), (x) => index.deleteNamespace(x)),
  ];
  let synced = false;
  // Never forward to itself: a loop would only end at the timeouts.
  const upstreams = (o.upstream ? o.upstream.map(parseUpstream) : resolvConfUpstreams())
    .filter((u) => !(u.host === o.host && u.port === o.port));
  const server = await DNSServer.listen({
    host: o.host, port: o.port, index, zone: { zone, nsAddress: o.host },
    forwarder: new Forwarder(upstreams),
    isReady: () => synced, log: o.log,
  });
  const abort = new AbortController();
  factory.start(abort.signal);
  const ready = Promise.all(informers.map((i) => i.waitForSync())).then(() => {
    synced = true;
    o.log.info({ host: o.host, port: server.port, zone, upstreams }, 'cluster DNS ready');
  });
  return {
    port: server.port,
    ready,
    async stop() {
      abort.abort();
      await server.close();
    },
  };
}

function watch(inf: Informer, set: (o: any) => void, del: (o: any) => void): Informer {
  inf.addHandler({ add: set, update: (_old, o) => set(o), delete: del });
  return inf;
}
