import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkSubnet, CNI_CONFLIST_FILE, CNI_NETWORK_NAME, writeCNIConfig } from './config.js';
import { deleteBridge, linkExists, listIPReservations } from './cleanup.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tug-cni-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the conflist has bridge (gateway, hairpin, host-local IPAM, no ipMasq) then portmap', async (t) => {
  const dir = tempDir(t);
  const path = await writeCNIConfig({ confDir: join(dir, 'net.d'), bridge: 'tugt0001', subnet: '10.42.0.0/24', dataDir: join(dir, 'ipam') });
  assert.equal(path, join(dir, 'net.d', CNI_CONFLIST_FILE));
  const conf = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(conf.cniVersion, '1.0.0');
  assert.equal(conf.name, CNI_NETWORK_NAME);
  assert.deepEqual(conf.plugins.map((p: { type: string }) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(conf.plugins[0], {
    type: 'bridge', bridge: 'tugt0001', isGateway: true, hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.42.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'ipam') },
  });
  assert.deepEqual(conf.plugins[1].capabilities, { portMappings: true });
});

test('the plugins Debian ships speak the conflist version', () => {
  for (const plugin of ['bridge', 'host-local', 'portmap']) {
    const out = execFileSync(`/usr/lib/cni/${plugin}`, { env: { CNI_COMMAND: 'VERSION' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    assert.ok(JSON.parse(out).supportedVersions.includes('1.0.0'), `${plugin}: ${out}`);
  }
});

test('bad bridge names and subnets are refused with a clear error', async (t) => {
  const dir = tempDir(t);
  const base = { confDir: join(dir, 'net.d'), bridge: 'tugt0001', subnet: '10.42.0.0/24', dataDir: join(dir, 'ipam') };
  const cases: { o: Partial<typeof base>; want: RegExp }[] = [
    { o: { bridge: 'a-bridge-name-too-long' }, want: /invalid bridge name "a-bridge-name-too-long"/ },
    { o: { bridge: 'br 0' }, want: /invalid bridge name/ },
    { o: { subnet: '10.42.0.0' }, want: /invalid pod subnet "10.42.0.0": want an IPv4 CIDR/ },
    { o: { subnet: '10.42.0.300/24' }, want: /invalid pod subnet/ },
    { o: { subnet: '10.42.0.1/24' }, want: /host bits are set/ },
    { o: { subnet: '10.42.0.0/31' }, want: /prefix 8-30/ },
    { o: { dataDir: 'relative' }, want: /dataDir must be an absolute path/ },
  ];
  for (const c of cases) await assert.rejects(writeCNIConfig({ ...base, ...c.o }), c.want);
  assert.doesNotThrow(() => checkSubnet('10.244.0.0/16'));
});

test('deleting a bridge that does not exist is fine; bad names are refused', async () => {
  await deleteBridge(`tugt${randomBytes(2).toString('hex')}x`);
  await assert.rejects(deleteBridge('no such bridge'), /invalid bridge name/);
});

test('host-local reservations are listed with their container, and nothing when the dir is missing', async (t) => {
  const dir = tempDir(t);
  assert.deepEqual(await listIPReservations(join(dir, 'missing')), []);
  mkdirSync(join(dir, 'tugboat'));
  writeFileSync(join(dir, 'tugboat', '10.42.0.3'), 'abc123\r\neth0');
  writeFileSync(join(dir, 'tugboat', '10.42.0.2'), 'def456');
  writeFileSync(join(dir, 'tugboat', 'last_reserved_ip.0'), '10.42.0.3');
  writeFileSync(join(dir, 'tugboat', 'lock'), '');
  assert.deepEqual(await listIPReservations(dir), [
    { network: 'tugboat', ip: '10.42.0.2', containerId: 'def456' },
    { network: 'tugboat', ip: '10.42.0.3', containerId: 'abc123' },
  ]);
});

test('the real bridge plugin gives a network namespace an IP from the subnet; DEL and deleteBridge leave nothing', async (t) => {
  const dir = tempDir(t);
  const bridge = `tugt${randomBytes(2).toString('hex')}`;
  const netns = `tugcni-${randomBytes(3).toString('hex')}`;
  const subnet = `10.244.${99 - (randomBytes(1)[0]! % 40)}.0/24`;
  const dataDir = join(dir, 'ipam');
  const path = await writeCNIConfig({ confDir: join(dir, 'net.d'), bridge, subnet, dataDir });
  const conflist = JSON.parse(readFileSync(path, 'utf8'));
  // The bridge plugin alone, as the runtime hands it one entry of the list.
  const netconf = JSON.stringify({ cniVersion: conflist.cniVersion, name: conflist.name, ...conflist.plugins[0] });
  const cni = (command: 'ADD' | 'DEL') => spawnSync('/usr/lib/cni/bridge', {
    input: netconf, encoding: 'utf8',
    env: { CNI_COMMAND: command, CNI_CONTAINERID: 'cnitest1', CNI_NETNS: `/var/run/netns/${netns}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', PATH: process.env.PATH },
  });
  execFileSync('ip', ['netns', 'add', netns]);
  t.after(() => {
    cni('DEL');
    spawnSync('ip', ['netns', 'del', netns]);
    spawnSync('ip', ['link', 'del', 'dev', bridge]);
    // DEL recreates host-local's lock file: remove the dir (again) after it.
    rmSync(dir, { recursive: true, force: true });
  });
  const add = cni('ADD');
  assert.equal(add.status, 0, add.stdout + add.stderr);
  const ip: string = JSON.parse(add.stdout).ips[0].address.split('/')[0];
  assert.ok(ip.startsWith(subnet.slice(0, subnet.lastIndexOf('.') + 1)), ip);
  assert.deepEqual((await listIPReservations(dataDir)).map((r) => [r.ip, r.containerId]), [[ip, 'cnitest1']]);
  assert.ok(await linkExists(bridge));
  // The pod IP answers from the host through the bridge.
  assert.equal(spawnSync('/usr/bin/busybox', ['ping', '-c', '1', '-W', '2', ip]).status, 0, `ping ${ip}`);

  const del = cni('DEL');
  assert.equal(del.status, 0, del.stderr);
  assert.deepEqual(await listIPReservations(dataDir), []);
  execFileSync('ip', ['netns', 'del', netns]);
  await deleteBridge(bridge);
  assert.equal(await linkExists(bridge), false);
});
