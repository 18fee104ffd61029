import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { writeCNIConfig } from './config.js';
import { installMasquerade, masqueradeInstalled, masqueradeScript, masqueradeTable, removeMasquerade } from './masquerade.js';

const freeBridge = () => `tugt${randomBytes(2).toString('hex')}`;
const nftRules = (bridge: string) => execFileSync('nft', ['list', 'table', 'ip', masqueradeTable(bridge)], { encoding: 'utf8' })
  .split('\n').filter((l) => l.includes('masquerade')).length;

/** A 10.<a>.<b>.0/24 that no route on this host mentions. */
function freeSubnet(a: number): string {
  const routes = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (;;) {
    const prefix = `10.${a}.${randomInt(10, 250)}.`;
    if (!routes.includes(prefix)) return `${prefix}0/24`;
  }
}

test('the script replaces the table atomically with one masquerade rule for traffic leaving the subnet', () => {
  const s = masqueradeScript('tugt0001', '10.42.0.0/24');
  assert.match(s, /^table ip tugboat-node-tugt0001 \{\}\ndelete table ip tugboat-node-tugt0001\ntable ip tugboat-node-tugt0001 \{/);
  assert.match(s, /type nat hook postrouting priority srcnat; policy accept;/);
  assert.match(s, /ip saddr 10\.42\.0\.0\/24 ip daddr != 10\.42\.0\.0\/24 ip daddr != 224\.0\.0\.0\/4 masquerade/);
});

test('with a cluster CIDR, traffic to pods on other nodes keeps its source', () => {
  const s = masqueradeScript('tugt0001', '10.42.3.0/24', '10.42.0.0/16');
  assert.match(s, /ip saddr 10\.42\.3\.0\/24 ip daddr != 10\.42\.0\.0\/16 ip daddr != 224\.0\.0\.0\/4 masquerade/);
  assert.throws(() => masqueradeScript('tugt0001', '10.42.3.0/24', '10.42.0.0/16 accept'), /invalid pod subnet/);
});

test('bad bridge names and subnets are refused before nft runs', async () => {
  assert.throws(() => masqueradeScript('br 0; flush ruleset', '10.42.0.0/24'), /invalid bridge name/);
  assert.throws(() => masqueradeScript('tugt0001', '10.42.0.0/24 drop'), /invalid pod subnet/);
  await assert.rejects(installMasquerade('tugt0001', '10.42.0.1/24'), /host bits are set/);
  await assert.rejects(removeMasquerade('no such bridge'), /invalid bridge name/);
});

test('install is idempotent (one rule after two), remove twice is fine', async (t) => {
  const bridge = freeBridge();
  t.after(() => removeMasquerade(bridge));
  await installMasquerade(bridge, '10.42.0.0/24');
  await installMasquerade(bridge, '10.42.0.0/24');
  assert.equal(await masqueradeInstalled(bridge), true);
  assert.equal(nftRules(bridge), 1);
  await removeMasquerade(bridge);
  await removeMasquerade(bridge);
  assert.equal(await masqueradeInstalled(bridge), false);
});

test('a pod reaches an outside host as the node (masqueraded) and another pod as itself (not)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-masq-test-'));
  const id = randomBytes(2).toString('hex');
  const bridge = `tugt${id}`;
  const subnet = freeSubnet(244);
  const outside = freeSubnet(245).replace(/0\/24$/, '');
  const [hostEnd, outsideEnd] = [`tugmh${id}`, `tugmo${id}`];
  const ns = { pod1: `tugmp1-${id}`, pod2: `tugmp2-${id}`, out: `tugmout-${id}` };
  const servers: ChildProcess[] = [];
  const path = await writeCNIConfig({ confDir: join(dir, 'net.d'), bridge, subnet, dataDir: join(dir, 'ipam') });
  const conflist = JSON.parse(readFileSync(path, 'utf8'));
  const netconf = JSON.stringify({ cniVersion: conflist.cniVersion, name: conflist.name, ...conflist.plugins[0] });
  const cni = (command: 'ADD' | 'DEL', netns: string) => spawnSync('/usr/lib/cni/bridge', {
    input: netconf, encoding: 'utf8',
    env: { CNI_COMMAND: command, CNI_CONTAINERID: netns, CNI_NETNS: `/var/run/netns/${netns}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', PATH: process.env.PATH },
  });
  t.after(async () => {
    for (const s of servers) s.kill('SIGKILL');
    for (const n of [ns.pod1, ns.pod2]) cni('DEL', n);
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
    spawnSync('ip', ['link', 'del', 'dev', hostEnd]);
    spawnSync('ip', ['link', 'del', 'dev', bridge]);
    await removeMasquerade(bridge);
    rmSync(dir, { recursive: true, force: true });
  });

  // A web server that answers with the client's address (busybox httpd's CGI sets REMOTE_ADDR).
  const www = join(dir, 'www');
  mkdirSync(join(www, 'cgi-bin'), { recursive: true });
  writeFileSync(join(www, 'cgi-bin', 'ip'), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s" "$REMOTE_ADDR"\n');
  chmodSync(join(www, 'cgi-bin', 'ip'), 0o755);
  const serve = (netns: string) => servers.push(spawn('ip', ['netns', 'exec', netns, '/usr/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', www], { stdio: 'ignore' }));
  // A client in the pod's netns (node's fetch: the host's static busybox wget crashes outside a container).
  const fetchIn = `fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).then((t) => process.stdout.write(t), () => process.exit(1))`;
  const ask = async (from: string, ip: string) => {
    for (let i = 0; i < 30; i++) {
      const r = spawnSync('ip', ['netns', 'exec', from, process.execPath, '-e', fetchIn, `http://${ip}:8080/cgi-bin/ip`], { encoding: 'utf8', timeout: 10_000 });
      // httpd listens on IPv6 too: the address may come as [::ffff:a.b.c.d].
      if (r.status === 0) return r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, '$1');
      await new Promise((res) => setTimeout(res, 100));
    }
    return '(no answer)';
  };

  for (const n of Object.values(ns)) execFileSync('ip', ['netns', 'add', n]);
  const podIP = (n: string) => {
    const add = cni('ADD', n);
    assert.equal(add.status, 0, add.stdout + add.stderr);
    return JSON.parse(add.stdout).ips[0].address.split('/')[0] as string;
  };
  const [ip1, ip2] = [podIP(ns.pod1), podIP(ns.pod2)];
  // The outside host: its own link and subnet, and no route back to the pods.
  execFileSync('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', outsideEnd]);
  execFileSync('ip', ['link', 'set', outsideEnd, 'netns', ns.out]);
  execFileSync('ip', ['addr', 'add', `${outside}1/24`, 'dev', hostEnd]);
  execFileSync('ip', ['link', 'set', hostEnd, 'up']);
  execFileSync('ip', ['-n', ns.out, 'addr', 'add', `${outside}2/24`, 'dev', outsideEnd]);
  execFileSync('ip', ['-n', ns.out, 'link', 'set', outsideEnd, 'up']);
  execFileSync('ip', ['-n', ns.out, 'link', 'set', 'lo', 'up']);
  serve(ns.out);
  serve(ns.pod2);

  await installMasquerade(bridge, subnet);
  assert.equal(await ask(ns.pod1, `${outside}2`), `${outside}1`, 'outside sees the node');
  assert.equal(await ask(ns.pod1, ip2), ip1, 'a pod sees the other pod');
});
