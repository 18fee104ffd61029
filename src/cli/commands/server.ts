/**
 * @module `tug server`: the whole control plane in one process — store, API server and the
 * in-process components that exist — with its PKI and admin kubeconfig in the data dir.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import pino from 'pino';
import { ensureKubeletClientCert, ensureKubeletServingCert, ensurePKI } from '../../apiserver/auth/pki.js';
import { builtinAdmission } from '../../apiserver/admission/index.js';
import { ensureSystemNamespaces } from '../../apiserver/bootstrap.js';
import { startApiServer } from '../../apiserver/server.js';
import { parseDuration, startCompactor } from '../../storage/compactor.js';
import { openStore } from '../../storage/factory.js';
import { writeAdminKubeconfig } from '../kubeconfig.js';
import { LocalClient } from '../../apiserver/local-client.js';
import { runControlPlane } from '../control-plane.js';
import { defaultNodeIP, startNodeAgent, type NodeAgent } from '../node-agent.js';
import { DEFAULT_SERVICE_CIDR, cidrSize, parseServiceCIDR, serviceIPAt } from '../../apiserver/services/service-ip.js';
import { ensureKubeDNSService } from '../../dns/index.js';
import { ingressPorts, withIngressFlags, type IngressFlags } from './ingress-flags.js';
import { DEFAULT_NODE_PORT_RANGE, parsePortRange } from '../../apiserver/services/port-range.js';
import { ensureServerToken, parseToken, serverTokenPath } from '../join/token.js';
import { DEFAULT_DATA_DIR, DEFAULT_HTTPS_PORT, kubeconfigPath } from '../defaults.js';

interface ServerFlags extends IngressFlags {
  dataDir: string;
  httpsListenPort: number;
  bindAddress: string;
  datastoreEndpoint?: string;
  tlsSan: string[];
  disableAgent: boolean;
  controllers?: string[];
  disableScheduler: boolean;
  nodeMonitorGracePeriod: number;
  nodeMonitorPeriod: number;
  terminatedPodGcThreshold: number;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  logLevel: string;
  compactInterval: number;
  nodeName: string;
  nodeIp?: string;
  serviceCidr: string;
  clusterDomain: string;
  serviceNodePortRange: string;
  advertiseAddress?: string;
  kubeletPort: number;
  clusterCidr: string;
  cniBridge: string;
  cgroupRoot: string;
  containerRuntimeEndpoint?: string;
  token?: string;
}

export function serverCommand(): Command {
  return withIngressFlags(new Command('server'))
    .description('run a cluster: API server, store and every in-process component')
    .option('--data-dir <dir>', 'where state, certificates and the kubeconfig live', DEFAULT_DATA_DIR)
    .option('--https-listen-port <port>', 'HTTPS port of the API server', parsePort, DEFAULT_HTTPS_PORT)
    .option('--bind-address <ip>', 'address the API server listens on', '0.0.0.0')
    .option('--datastore-endpoint <url>', 'store: sqlite://PATH (default: DATA_DIR/state.db) or etcd://HOST:PORT[,HOST:PORT]')
    .option('--tls-san <name>', 'extra name or IP for the serving certificate (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--disable-agent', 'run no node agent on this machine', false)
    .option('--node-name <name>', 'name of this machine\'s Node', hostname())
    .option('--node-ip <ip>', 'the Node\'s InternalIP, where the API server reaches its agent (default: the first non-loopback IPv4)')
    .option('--service-cidr <cidr>', 'IPv4 range of service cluster IPs (/12 to /28); the first is the kubernetes service\'s, the tenth kube-dns\'s',
      parseServiceCIDRFlag, DEFAULT_SERVICE_CIDR)
    .option('--service-node-port-range <first-last>', 'ports NodePort and LoadBalancer services get on every node',
      (v: string) => parsePortRange(v).text, DEFAULT_NODE_PORT_RANGE)
    .option('--cluster-domain <domain>', 'the DNS domain of services and pods', parseDomain, 'cluster.local')
    .option('--advertise-address <ip>', 'address of this API server in the kubernetes service\'s endpoints (default: --node-ip, else the first non-loopback IPv4)', parseIPv4)
    .option('--kubelet-port <port>', 'HTTPS port of the node agent (logs, exec, port-forward); 0 = any free port', parsePort, 10250)
    .option('--cluster-cidr <cidr>', 'pod network; every node gets a /24 of it (its podCIDR)', parseCIDR, '10.42.0.0/16')
    .option('--cni-bridge <name>', 'the Linux bridge the node\'s pods join', parseBridgeName, 'tug0')
    .option('--cgroup-root <path>', 'cgroup (v1) path under which the pods\' cgroups are made', '/tugboat')
    .option('--container-runtime-endpoint <url>', 'use this CRI runtime (unix:///path.sock) instead of starting containerd')
    .option('--token <token>', 'the join secret agents must present (or a full K10 token of this cluster); default: kept in DATA_DIR/server/token')
    .option('--node-monitor-grace-period <duration>', 'how long a node may miss heartbeats before it is marked NotReady (e.g. 40s)', parseDuration, parseDuration('40s'))
    .option('--node-monitor-period <duration>', 'how often node health is checked', parseDuration, parseDuration('5s'))
    .option('--terminated-pod-gc-threshold <n>', 'terminated pods kept before the oldest are deleted', parseCount, 12500)
    .option('--disable-scheduler', 'run no scheduler in this server', false)
    .option('--controllers <names>', 'comma-separated controllers to run (default: all)', (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .option('--leader-elect-lease-duration <seconds>', 'how long a control-plane lease holds without renewal', parseSeconds, 15)
    .option('--leader-elect-renew-deadline <seconds>', 'how long the leader keeps trying to renew before it steps down', parseSeconds, 10)
    .option('--leader-elect-retry-period <seconds>', 'time between tries to acquire or renew the lease', parseSeconds, 2)
    .option('--compact-interval <duration>', 'how often the store drops history older than the previous interval (e.g. 30s, 5m; 0: never)', parseDuration, parseDuration('5m'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action((flags: ServerFlags) => runServer(flags));
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`invalid duration "${v}": must be a positive number of seconds`);
  return n;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid number "${v}": must be a whole number`);
  return n;
}

/** A service CIDR that also holds kube-dns's address (its 10th), so /28 at the smallest. */
function parseServiceCIDRFlag(v: string): string {
  const c = parseServiceCIDR(v);
  if (cidrSize(c) < 10) throw new Error(`invalid --service-cidr "${v}": too small to hold kube-dns's address (the 10th); want /28 or larger`);
  return c.text;
}

function parseDomain(v: string): string {
  if (!/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/.test(v)) {
    throw new Error(`invalid cluster domain "${v}": want a lower-case DNS name such as cluster.local`);
  }
  return v;
}

function parseCIDR(v: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 24 || Number(m[5]) < 8) {
    throw new Error(`invalid CIDR "${v}": want an IPv4 network of prefix /8 to /24, e.g. 10.42.0.0/16`);
  }
  return v;
}

function parseIPv4(v: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(v) || v.split('.').some((o) => Number(o) > 255)) throw new Error(`invalid IPv4 address "${v}"`);
  return v;
}

export function parseBridgeName(v: string): string {
  if (!/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/.test(v)) throw new Error(`invalid bridge name "${v}": 1-15 letters, digits, '.', '-' or '_'`);
  return v;
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port "${v}": must be 0-65535`);
  return n;
}

async function runServer(flags: ServerFlags): Promise<void> {
  const log = pino({ level: flags.logLevel, base: undefined }, pino.destination(2));
  await mkdir(flags.dataDir, { recursive: true, mode: 0o700 });
  // Agents reach the server at its node IP (or the one address it listens on): the serving certificate must name it.
  const specificBind = flags.bindAddress !== '0.0.0.0' && flags.bindAddress !== '::';
  const joinAddress = flags.nodeIp ?? (specificBind ? flags.bindAddress : defaultNodeIP());
  const pki = await ensurePKI(flags.dataDir, { hosts: [hostname(), joinAddress, ...flags.tlsSan] });
  const token = await ensureServerToken(flags.dataDir, pki.ca.cert, flags.token);
  // One compaction policy for every backend (kube-apiserver's): the SQLite store's own timer is off.
  const store = await openStore({ endpoint: flags.datastoreEndpoint, dataDir: flags.dataDir, sqlite: { compactIntervalMs: 0 }, watchCache: true });
  const compactor = startCompactor(store, flags.compactInterval, (err) => log.warn({ err }, 'compaction failed'));
  let ready = false;
  const kubeletClient = { ...(await ensureKubeletClientCert(pki)), ca: pki.ca.cert };
  const api = await startApiServer({
    store, admission: builtinAdmission, pki, port: flags.httpsListenPort, host: flags.bindAddress, log, ready: () => ready, kubeletClient,
    serviceCIDR: flags.serviceCidr, nodePortRange: flags.serviceNodePortRange, advertiseAddress: flags.advertiseAddress ?? flags.nodeIp ?? defaultNodeIP(),
    join: { secret: parseToken(token).secret, ca: pki.ca, certDir: join(flags.dataDir, 'server', 'agent-certs'),
      cluster: { clusterCIDR: flags.clusterCidr, serviceCIDR: flags.serviceCidr, clusterDomain: flags.clusterDomain } },
  });
  await ensureSystemNamespaces(api.registry);
  // kube-dns has no pods: every node agent serves DNS itself and registers as one of its endpoints.
  await ensureKubeDNSService(new LocalClient(api.registry, 'tug-server'), serviceIPAt(flags.serviceCidr, 10));
  const host = flags.bindAddress === '0.0.0.0' || flags.bindAddress === '::' ? '127.0.0.1' : flags.bindAddress;
  await writeAdminKubeconfig(kubeconfigPath(flags.dataDir), {
    server: `https://${host}:${api.port}`, caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key,
  });
  const controlPlane = new AbortController();
  const controlPlaneDone = runControlPlane({
    client: new LocalClient(api.registry, 'kube-controller-manager'), log, controllers: flags.controllers, scheduler: !flags.disableScheduler,
    controllerOptions: {
      nodeLifecycle: { nodeMonitorGracePeriodMs: flags.nodeMonitorGracePeriod, nodeMonitorPeriodMs: flags.nodeMonitorPeriod },
      podGC: { terminatedPodThreshold: flags.terminatedPodGcThreshold },
      nodeIPAM: { clusterCIDR: flags.clusterCidr },
    },
    leaseDurationSeconds: flags.leaderElectLeaseDuration, renewDeadlineSeconds: flags.leaderElectRenewDeadline,
    retryPeriodSeconds: flags.leaderElectRetryPeriod,
  }, controlPlane.signal)
    .catch((err) => log.error({ err }, 'control plane failed'));
  let agent: NodeAgent | undefined;
  if (!flags.disableAgent) {
    const nodeIP = flags.nodeIp ?? defaultNodeIP();
    const serving = await ensureKubeletServingCert(pki, { nodeName: flags.nodeName, addresses: [nodeIP] });
    agent = await startNodeAgent({
      dataDir: flags.dataDir, nodeName: flags.nodeName, nodeIP, kubeletPort: flags.kubeletPort, clusterCIDR: flags.clusterCidr,
      serviceCIDR: flags.serviceCidr, clusterDomain: flags.clusterDomain, bridge: flags.cniBridge, cgroupRoot: flags.cgroupRoot, runtimeEndpoint: flags.containerRuntimeEndpoint, ingress: ingressPorts(flags),
      client: new LocalClient(api.registry, `system:node:${flags.nodeName}`), tls: { ...serving, ca: pki.ca.cert },
      log: log.child({ component: 'node-agent' }),
    });
  }
  ready = true;
  log.info({ port: api.port, dataDir: flags.dataDir, kubeconfig: kubeconfigPath(flags.dataDir) }, 'tug server is running');
  log.info(`to join a node: tug agent --server https://${joinAddress}:${api.port} --token-file ${serverTokenPath(flags.dataDir)}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    controlPlane.abort();
    await Promise.all([controlPlaneDone, agent?.stop()]);
    await api.close();
    compactor.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
