import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { leftoverTestHosts, startTestHosts } from './test-hosts.js';

const mine = (id: string) => {
  const l = leftoverTestHosts();
  return [...l.namespaces, ...l.links].filter((n) => n.startsWith(`tth${id}`));
};

test('two hosts reach each other and the root namespace over the bridge; stop removes all of it', async (t) => {
  const th = await startTestHosts(2);
  t.after(() => th.stop());
  const [a, b] = th.hosts;
  assert.match(th.subnet, /^10\.250\.\d+\.0\/24$/);
  assert.notEqual(a!.ip, b!.ip);
  assert.deepEqual(mine(th.id).sort(), [th.bridge, `${th.bridge}-1`, `${th.bridge}-2`, `${th.bridge}v1`, `${th.bridge}v2`].sort());

  const ping = th.exec(a!, ['busybox', 'ping', '-c', '1', '-W', '2', b!.ip]);
  assert.equal(ping.code, 0, ping.stderr + ping.stdout);
  assert.equal(spawnSync('busybox', ['ping', '-c', '1', '-W', '2', a!.ip]).status, 0, 'root namespace reaches host1');
  const route = th.exec(b!, ['ip', '-4', 'route', 'show', 'default']);
  assert.match(route.stdout, new RegExp(`default via ${th.bridgeIP.replace(/\./g, '\\.')} dev eth0`));
  const sysctl = th.exec(b!, ['sysctl', '-n', 'net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables']);
  assert.equal(sysctl.stdout, '1\n1\n');
  // A process in a host sees its own network and the machine's cgroups (which `ip netns exec` would hide).
  assert.match(th.exec(a!, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout, new RegExp(`inet ${a!.ip}/24`));
  assert.notEqual(th.exec(a!, ['ls', '/sys/fs/cgroup/memory']).stdout, '');

  const sleeper = th.spawn(b!, ['sleep', '600'], { stdio: 'ignore' });
  await th.stop();
  assert.ok(sleeper.exitCode !== null || sleeper.signalCode !== null, 'stop() kills what spawn() started');
  assert.deepEqual(mine(th.id), []);
  await th.stop(); // idempotent
});

test('a failed start leaves nothing behind', async (t) => {
  const id = randomBytes(2).toString('hex');
  // A namespace of that name already exists: the second host cannot be made.
  spawnSync('ip', ['netns', 'add', `tth${id}-2`]);
  t.after(() => { spawnSync('ip', ['netns', 'del', `tth${id}-2`]); });
  await assert.rejects(startTestHosts(3, { id }), /netns add tth[0-9a-f]{4}-2/);
  assert.deepEqual(mine(id), [`tth${id}-2`], 'only the namespace the test made itself remains');
});
