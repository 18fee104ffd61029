/**
 * `tug agent` end to end: a real `tug server` without a node of its own, and a real agent (its own
 * containerd, bridge, subnet and cgroup root) that joins with the server's token file. The Node
 * registers and turns Ready, a pod runs there and its logs come back through the API server; a
 * wrong secret and a token of another cluster end the agent with one line (the latter before the
 * secret is ever sent); a restarted agent rejoins as the same Node; another machine cannot take
 * the name; an agent restarted while the server is down goes on with its last credentials and
 * finds the server again; a first join gives up on an unreachable server after --join-timeout;
 * `tug reset` on the agent's data dir removes what the node left.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensurePKI } from '../../src/apiserver/auth/pki.js';
import { formatToken, parseToken, serverTokenPath } from '../../src/cli/join/token.js';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { readAgentLayout } from '../../src/kubelet/layout.js';
import { ok, startTugServer, tugBin, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

const id = randomBytes(2).toString('hex');
const nodeName = `tug-join-${id}`;
const subnet = `10.244.${100 + Math.floor(Math.random() * 150)}.0/24`;
const scratch = mkdtempSync(join(tmpdir(), 'tug-agent-join-'));
const agentDir = join(scratch, 'agent');
let server: TugServer;
let agent: ChildProcess | undefined;
const ran: string[] = [];

/** Flags that keep this node apart from any other on the machine. */
const nodeArgs = (dataDir: string, name: string) => ['--data-dir', dataDir, '--node-name', name, '--node-ip', '127.0.0.1',
  '--kubelet-port', '0', '--cni-bridge', `tugj${id}`, '--cgroup-root', `/tugboat-join-${id}`];
const serverURL = () => `https://127.0.0.1:${server.port}`;

/** Runs `tug agent` to its end (for the failures): exit code and stderr. */
function agentRun(args: string[], dataDir: string, name = nodeName): { code: number; stderr: string } {
  if (!ran.includes(dataDir)) ran.push(dataDir);
  const r = spawnSync(tugBin, ['agent', '--server', serverURL(), ...args, ...nodeArgs(dataDir, name)], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** Starts the agent in the background and resolves once it says it runs. */
async function startAgent(): Promise<string> {
  let log = '';
  agent = spawn(tugBin, ['agent', '--server', serverURL(), '--token-file', serverTokenPath(server.dataDir), ...nodeArgs(agentDir, nodeName)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  agent.stderr!.on('data', (d) => { log += d; });
  const child = agent;
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`tug agent exited with ${child.exitCode}:\n${log}`);
    return log.includes('tug agent is running');
  }, 'tug agent to run', 60_000, 100);
  return log;
}

async function stopAgent(): Promise<number | null> {
  const child = agent;
  agent = undefined;
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

const nodesNamed = (name: string): any[] =>
  JSON.parse(ok(server.kubectl(['get', 'nodes', '-o', 'json']))).items.filter((n: any) => n.metadata.name === name);
const ready = (n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const passwordSecret = (name: string) => server.kubectl(['-n', 'kube-system', 'get', 'secret', `${name}.node-password.tugboat`]);

before(async () => {
  server = await startTugServer({ extraArgs: ['--cluster-cidr', subnet] });
});
after(async () => {
  const code = await stopAgent();
  if (code !== null && code !== 0) process.stderr.write(`tug agent exited with ${code}\n`);
  // The node's pods outlive the agent by design: `tug reset` on its data dir removes them, the bridge and the cgroups.
  if (existsSync(join(agentDir, 'agent.json'))) {
    const r = spawnSync(tugBin, ['reset', '--data-dir', agentDir], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) process.stderr.write(`tug reset failed (${r.status}): ${r.stderr}\n`);
  }
  await server?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test('the server keeps a K10 token of its own CA in DATA_DIR/server/token and logs how to join', async () => {
  const token = readFileSync(serverTokenPath(server.dataDir), 'utf8').trim();
  assert.match(token, /^K10[0-9a-f]{64}::server:\S+$/);
  // The kubeconfig that startTugServer waits for is written a moment before this line.
  const hint = `tug agent --server https://127.0.0.1:${server.port} --token-file ${serverTokenPath(server.dataDir)}`;
  await waitFor(() => server.stderr().includes(hint), `the log line "${hint}"`, 10_000, 50);
});

test('a wrong secret ends the agent with one line and exit code 1', () => {
  const token = parseToken(readFileSync(serverTokenPath(server.dataDir), 'utf8'));
  const r = agentRun(['--token', `K10${token.caHash}::server:not-the-secret`], join(scratch, 'wrong-secret'));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim(), 'tug: 401 Unauthorized: the token was rejected by the server');
});

test('a token of another cluster ends the agent before the secret is sent', async () => {
  // The right secret with another CA's hash: had the agent sent it, the server would have let the node join.
  const other = await ensurePKI(join(scratch, 'other-cluster'), { hosts: [] });
  const { secret } = parseToken(readFileSync(serverTokenPath(server.dataDir), 'utf8'));
  const r = agentRun(['--token', formatToken(other.ca.cert, secret)], join(scratch, 'other-ca'), `${nodeName}-x`);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim(), 'tug: token CA hash does not match the server\'s CA: wrong server or token for another cluster');
  assert.notEqual(passwordSecret(`${nodeName}-x`).code, 0, 'the server saw a credentials request');
  assert.deepEqual(nodesNamed(`${nodeName}-x`), []);
});

test('an agent joins with the token file: its Node turns Ready and runs a pod whose logs come through the API server', async () => {
  await startAgent();
  await waitFor(() => nodesNamed(nodeName).some(ready), 'the joined node to be Ready', 60_000, 250);
  const [node] = nodesNamed(nodeName);
  assert.equal(node.status.addresses.find((a: any) => a.type === 'InternalIP')?.address, '127.0.0.1');
  assert.equal(readAgentLayout(agentDir).nodeName, nodeName);
  ok(server.kubectl(['run', 'hello', `--image=${TEST_IMAGE}`, '--image-pull-policy=Never', '--restart=Never',
    `--overrides={"spec":{"nodeName":"${nodeName}","terminationGracePeriodSeconds":1}}`, '--', 'sh', '-c', 'echo hello from the agent; sleep 3600']));
  ok(await server.kubectlAsync(['wait', 'pod/hello', '--for=condition=Ready', '--timeout=60s'], { timeoutMs: 70_000 }));
  assert.equal(ok(server.kubectl(['logs', 'hello'])).trim(), 'hello from the agent');
  ok(server.kubectl(['delete', 'pod', 'hello', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 }));
});

test('a restarted agent rejoins as the same Node, and another machine cannot take its name', async () => {
  const before = nodesNamed(nodeName);
  assert.equal(before.length, 1);
  assert.equal(await stopAgent(), 0, 'SIGTERM stops the agent cleanly');
  await startAgent();
  const after = await waitFor(() => {
    const nodes = nodesNamed(nodeName);
    return nodes.length === 1 && ready(nodes[0]) && nodes;
  }, 'the node to be Ready again', 60_000, 250);
  assert.equal(after[0].metadata.uid, before[0].metadata.uid);
  // Another data dir is another machine: it has its own node password.
  const r = agentRun(['--token-file', serverTokenPath(server.dataDir)], join(scratch, 'impostor'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr.trim(), new RegExp(`^tug: 403 Forbidden: nodes "${nodeName}" is forbidden: node password rejected, duplicate hostname`));
});

test('an agent restarted while the server is down starts with its last credentials, and renews its lease through the server once it is back', async () => {
  const [before] = nodesNamed(nodeName);
  assert.equal(await stopAgent(), 0);
  await server.stop();
  const log = await startAgent();
  assert.match(log, /the server cannot be reached: starting with the credentials of the last join/);
  await server.restart();
  const back = Date.now();
  // The node's lease is renewed through the restarted server: the agent's client found it again.
  await waitFor(() => {
    const lease = JSON.parse(ok(server.kubectl(['-n', 'kube-node-lease', 'get', 'lease', nodeName, '-o', 'json'])));
    return Date.parse(lease.spec.renewTime) >= back - 1000;
  }, 'a lease renewal after the server came back', 60_000, 500);
  const nodes = nodesNamed(nodeName);
  assert.equal(nodes.length, 1);
  assert.ok(ready(nodes[0]));
  assert.equal(nodes[0].metadata.uid, before.metadata.uid);
});

test('a first join waits for an unreachable server, logging each try, then gives up with one line', () => {
  const closed = 'https://127.0.0.1:1';
  const r = spawnSync(tugBin, ['agent', '--server', closed, '--token-file', serverTokenPath(server.dataDir), '--join-timeout', '3s',
    ...nodeArgs(join(scratch, 'unreachable'), `${nodeName}-u`)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.filter((l) => l.includes('waiting for the server')).length >= 1, r.stderr);
  assert.match(lines.at(-1)!, /^tug: cannot reach the server at https:\/\/127\.0\.0\.1:1: connect ECONNREFUSED .* \(gave up after \d+ tries\)$/);
});
