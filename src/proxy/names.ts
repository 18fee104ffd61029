/**
 * @module Names of the proxy's nftables objects, after upstream kube-proxy's nftables mode:
 * `service-HASH-ns/name/proto/port` and friends, so a reader of `nft list table` sees which
 * Service a chain is for, while the hash keeps names unique whatever the parts contain.
 */
import { hash } from 'node:crypto';

/** One port of one Service: `ns/name/tcp/http` (the port's name, or its number when unnamed). */
export interface ServicePortId {
  namespace: string;
  name: string;
  /** nft's name of the protocol: tcp, udp or sctp. */
  proto: string;
  /** The port's name; '' for a Service's single unnamed port. */
  portName: string;
  port: number;
}

const readable = (p: ServicePortId) => `${p.namespace}/${p.name}/${p.proto}/${p.portName || p.port}`;
const hashed = (kind: string, readableName: string) =>
  `${kind}-${hash('sha256', `${kind}:${readableName}`, 'hex').slice(0, 8).toUpperCase()}-${readableName}`; // one-shot: 3× createHash's speed

/** Picks among all usable endpoints (internal traffic, and external with policy Cluster). */
export const clusterChain = (p: ServicePortId) => hashed('service', readable(p));
/** Picks among this node's endpoints (traffic policy Local). */
export const localChain = (p: ServicePortId) => hashed('local', readable(p));
/** Entry for NodePort, external IP and load-balancer traffic. */
export const externalChain = (p: ServicePortId) => hashed('external', readable(p));
/** DNATs to one endpoint. */
export const endpointChain = (p: ServicePortId, ip: string, port: number) => hashed('endpoint', `${readable(p)}__${ip}/${port}`);
/** Clients recently sent to one endpoint (ClientIP affinity); the timeout is part of the name, so a new timeout is a new set. */
export const affinitySet = (p: ServicePortId, ip: string, port: number, timeoutS: number) =>
  hashed('affinity', `${readable(p)}__${ip}/${port}__t${timeoutS}`);
