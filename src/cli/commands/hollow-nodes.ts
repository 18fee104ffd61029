/**
 * @module `tug hollow-nodes`: N simulated nodes in one process against a cluster's API over
 * HTTPS (kubemark's hollow nodes), until SIGTERM or SIGINT.
 */
import { Command } from 'commander';
import { RestClient } from '../../client/rest-client.js';
import { startHollowNodes } from '../../kubelet/hollow/hollow-nodes.js';
import { parseDuration } from '../../storage/compactor.js';

interface HollowNodesFlags {
  count: number;
  kubeconfig: string;
  prefix: string;
  firstIndex: number;
  cpu: string;
  memory: string;
  pods: string;
  renewInterval: number;
}

export function hollowNodesCommand(): Command {
  return new Command('hollow-nodes')
    .description('run N simulated nodes (no containers): register, heartbeat, run bound pods with fake IPs')
    .requiredOption('--count <n>', 'how many nodes', parseCount)
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster')
    .option('--prefix <prefix>', 'node names are PREFIX0 … PREFIX(N-1)', 'hollow-')
    .option('--first-index <i>', 'index of the first node, for distinct fake addresses across processes', parseIndex, 0)
    .option('--cpu <quantity>', 'cpu capacity of each node', '4')
    .option('--memory <quantity>', 'memory capacity of each node', '16Gi')
    .option('--pods <n>', 'pod capacity of each node', '110')
    .option('--renew-interval <duration>', 'how often each node renews its Lease (kubelet: 10s; keep it under the server\'s --node-monitor-grace-period)', parseDuration, parseDuration('10s'))
    .action((flags: HollowNodesFlags) => run(flags));
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`invalid count "${v}": must be a positive integer`);
  return n;
}

function parseIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid index "${v}": must be 0-65535`);
  return n;
}

async function run(flags: HollowNodesFlags): Promise<void> {
  const client = await RestClient.fromKubeconfig(flags.kubeconfig, 'tug-hollow-node/0.1.0');
  // Heartbeats on connections of their own, as each kubelet has (not queued behind pod writes).
  const heartbeatClient = await RestClient.fromKubeconfig(flags.kubeconfig, 'tug-hollow-node/0.1.0');
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const nodes = await startHollowNodes({
    client, heartbeatClient, count: flags.count, prefix: flags.prefix, firstIndex: flags.firstIndex,
    capacity: { cpu: flags.cpu, memory: flags.memory, pods: flags.pods }, renewIntervalMs: flags.renewInterval, log,
  });
  log(`${flags.count} hollow nodes running (${flags.prefix}0 … ${flags.prefix}${flags.count - 1})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await nodes.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
