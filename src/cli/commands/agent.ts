/**
 * @module `tug agent`: joins this machine to a cluster as a node (k3s agent's role). It checks the
 * server's CA against the token, gets the node's certificates with the join secret, then runs the
 * node agent against the API server over HTTPS. A server that is down at start is waited for.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { sleep } from '../../client/informer.js';
import { RestClient } from '../../client/rest-client.js';
import { parseDuration } from '../../storage/compactor.js';
import { DEFAULT_DATA_DIR } from '../defaults.js';
import { JoinError, join } from '../join/bootstrap.js';
import { ensureNodePassword, loadCredentials, saveCredentials } from '../join/agent-state.js';
import { parseToken, type JoinToken } from '../join/token.js';
import { defaultNodeIP, startNodeAgent } from '../node-agent.js';
import { parseBridgeName, parsePort } from './server.js';
import { ingressPorts, withIngressFlags, type IngressFlags } from './ingress-flags.js';
import type { JoinRequest, NodeCredentials } from '../../apiserver/join/handler.js';

interface AgentFlags extends IngressFlags {
  server: string;
  token?: string;
  tokenFile?: string;
  dataDir: string;
  nodeName: string;
  nodeIp?: string;
  kubeletPort: number;
  cniBridge: string;
  cgroupRoot: string;
  containerRuntimeEndpoint?: string;
  joinTimeout: number;
  logLevel: string;
}

const MAX_BACKOFF_MS = 30_000;

export function agentCommand(): Command {
  return withIngressFlags(new Command('agent'))
    .description('join this machine to a cluster as a node and run its node agent')
    .requiredOption('--server <url>', 'the API server to join, e.g. https://10.0.0.1:6443')
    .option('--token <token>', 'the join token (K10…::server:SECRET from the server\'s DATA_DIR/server/token, or the bare secret)')
    .option('--token-file <path>', 'read the join token from this file')
    .option('--data-dir <dir>', 'where the node\'s credentials, containerd and pod state live', DEFAULT_DATA_DIR)
    .option('--node-name <name>', 'name of this machine\'s Node', hostname())
    .option('--node-ip <ip>', 'the Node\'s InternalIP (default: the first non-loopback IPv4)')
    .option('--kubelet-port <port>', 'HTTPS port of the node agent (logs, exec, port-forward); 0 = any free port', parsePort, 10250)
    .option('--cni-bridge <name>', 'the Linux bridge the node\'s pods join', parseBridgeName, 'tug0')
    .option('--cgroup-root <path>', 'cgroup (v1) path under which the pods\' cgroups are made', '/tugboat')
    .option('--container-runtime-endpoint <url>', 'use this CRI runtime (unix:///path.sock) instead of starting containerd')
    .option('--join-timeout <duration>', 'how long to wait for an unreachable server at start before giving up (0: forever)', parseDuration, parseDuration('5m'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action((flags: AgentFlags) => runAgent(flags));
}

async function runAgent(flags: AgentFlags): Promise<void> {
  const log = pino({ level: flags.logLevel, base: undefined }, pino.destination(2));
  const token = parseToken(await readToken(flags));
  if (!token.caHash) {
    log.warn('the token has no CA hash: the server\'s CA is trusted as it is sent; use the full token from the server\'s token file to verify it');
  }
  const stopping = new AbortController();
  // Nothing needs cleaning up while the agent joins; a signal while the node agent starts waits for it.
  let stop: () => void | Promise<void> = () => process.exit(0);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping.signal.aborted) return;
      log.info({ signal }, 'shutting down');
      stopping.abort();
      void stop();
    });
  }
  const nodeIP = flags.nodeIp ?? defaultNodeIP();
  const request: JoinRequest = { nodeName: flags.nodeName, nodeIP, password: await ensureNodePassword(flags.dataDir) };
  const creds = await joinWithRetry(flags, token, request, log);
  stop = () => {};
  const client = new RestClient({ server: flags.server, ca: creds.ca, cert: creds.client.cert, key: creds.client.key,
    userAgent: `tug-agent/0.1.0 (${flags.nodeName})`, fieldManager: 'tug-agent' });
  const agent = await startNodeAgent({
    dataDir: flags.dataDir, nodeName: flags.nodeName, nodeIP, kubeletPort: flags.kubeletPort,
    clusterCIDR: creds.cluster.clusterCIDR, serviceCIDR: creds.cluster.serviceCIDR, clusterDomain: creds.cluster.clusterDomain,
    bridge: flags.cniBridge, cgroupRoot: flags.cgroupRoot, runtimeEndpoint: flags.containerRuntimeEndpoint, ingress: ingressPorts(flags),
    client, tls: { ...creds.serving, ca: creds.ca }, log: log.child({ component: 'node-agent' }),
  });
  stop = async () => {
    await agent.stop();
    client.close();
    process.exit(0);
  };
  if (stopping.signal.aborted) return stop();
  log.info({ server: flags.server, node: flags.nodeName, dataDir: flags.dataDir }, 'tug agent is running');
}

async function readToken(flags: AgentFlags): Promise<string> {
  if (flags.token && flags.tokenFile) throw new Error('give --token or --token-file, not both');
  if (flags.token) return flags.token;
  if (!flags.tokenFile) throw new Error('one of --token or --token-file is required');
  try {
    return await readFile(flags.tokenFile, 'utf8');
  } catch (e) {
    throw new Error(`--token-file: ${(e as Error).message}`);
  }
}

/**
 * Joins, waiting with back-off while the server is unreachable or overloaded. When it stays so, a
 * restart goes on with the last join's credentials (the pods keep running, the watches reconnect
 * later), and a first join gives up after --join-timeout. Other failures end the agent at once.
 */
async function joinWithRetry(flags: AgentFlags, token: JoinToken, request: JoinRequest, log: Logger): Promise<NodeCredentials> {
  const deadline = flags.joinTimeout ? Date.now() + flags.joinTimeout : Infinity;
  let backoff = 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const { credentials } = await join(flags.server, token, request);
      await saveCredentials(flags.dataDir, { server: flags.server, nodeName: flags.nodeName, credentials });
      log.info({ server: flags.server, node: flags.nodeName, attempt }, 'joined the cluster');
      return credentials;
    } catch (e) {
      if (!(e instanceof JoinError) || !e.transient) throw e;
      const saved = await loadCredentials(flags.dataDir, flags.server, flags.nodeName);
      if (saved) {
        log.warn({ err: e.message }, 'the server cannot be reached: starting with the credentials of the last join');
        return saved;
      }
      if (Date.now() + backoff > deadline) throw new JoinError(`${e.message} (gave up after ${attempt} tries)`);
      log.info({ attempt, retryInMs: backoff, err: e.message }, 'waiting for the server');
      await sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }
}
