/**
 * @module VolumeManager in a temp dir: emptyDir (disk and tmpfs with sizeLimit), configMap and
 * secret (items, modes, optional, tmpfs for secrets), hostPath types, projected and downwardAPI,
 * the FailedMount messages, refresh by atomic swap (subPath mounts keep the old file), mounts for
 * containers (subPath, readOnly, /etc/hosts) and tear-down with unmounts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import type { ConfigSource } from '../spec/config-source.js';
import { ContainerConfigError } from '../spec/errors.js';
import { VolumeError } from './errors.js';
import { VolumeManager } from './manager.js';
import { mountsUnder, unmount } from './mount.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const objects = new Map<string, Obj>();
const source: ConfigSource = {
  configMap: async (ns, name) => objects.get(`cm/${ns}/${name}`),
  secret: async (ns, name) => objects.get(`secret/${ns}/${name}`),
};

let root: string;
let vm: VolumeManager;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tug-vol-'));
  vm = new VolumeManager({ rootDir: join(root, 'kubelet'), source, nodeAllocatable: { cpu: '2', memory: '2Gi' } });
});
after(async () => {
  // Whatever a failed test left mounted goes first; then the whole temp dir.
  for (const m of await mountsUnder(root)) await unmount(m).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

let seq = 0;
function pod(volumes: Obj[], containers: Obj[] = [{ name: 'c', image: 'i' }], spec: Obj = {}): Obj {
  seq++;
  return { metadata: { name: `p${seq}`, namespace: 'ns', uid: `uid-${seq}`, labels: { app: 'x' }, annotations: { k: 'v' } },
    spec: { volumes, containers, ...spec } };
}
const volDir = (p: Obj, plugin: string, name: string) => join(root, 'kubelet/pods', p.metadata.uid, 'volumes', plugin, name);
const mode = async (p: string) => (await stat(p)).mode & 0o7777;
const isTmpfs = async (p: string) => (await mountsUnder(p)).includes(p);

test('emptyDir on disk (0777) and medium Memory as tmpfs with size=sizeLimit; tear-down unmounts and removes', async () => {
  const p = pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }]);
  await vm.setUpPod(p);
  await vm.setUpPod(p);
  const scratch = volDir(p, 'kubernetes.io~empty-dir', 'scratch');
  const mem = volDir(p, 'kubernetes.io~empty-dir', 'mem');
  assert.equal(await mode(scratch), 0o777);
  assert.equal(await isTmpfs(scratch), false);
  assert.equal(await isTmpfs(mem), true);
  assert.equal((await mountsUnder(mem)).length, 1, 'set-up twice mounts once');
  const fs = await statfs(mem);
  assert.equal(fs.blocks * fs.bsize, 16 * 2 ** 20);
  assert.equal(await mode(mem), 0o777);
  assert.deepEqual(await vm.podDirs(), [p.metadata.uid]);
  await vm.tearDownPod(p.metadata.uid);
  assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
  assert.deepEqual(await vm.podDirs(), []);
  await vm.tearDownPod(p.metadata.uid);
});

test('configMap: all keys (data and binaryData) with defaultMode; items with their own modes; secret on tmpfs', async () => {
  objects.set('cm/ns/cfg', { data: { 'app.conf': 'port=80\n', other: 'o' }, binaryData: { 'logo.bin': b64('\x00\x01') } });
  objects.set('secret/ns/creds', { data: { user: b64('admin'), pass: b64('pw') } });
  const p = pod([
    { name: 'all', configMap: { name: 'cfg', defaultMode: 0o640 } },
    { name: 'some', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'etc/app.conf', mode: 0o600 }] } },
    { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
  ]);
  try {
    await vm.setUpPod(p);
    const all = volDir(p, 'kubernetes.io~configmap', 'all');
    assert.deepEqual((await readdir(all)).filter((n) => !n.startsWith('..')).sort(), ['app.conf', 'logo.bin', 'other']);
    assert.equal(await readFile(join(all, 'app.conf'), 'utf8'), 'port=80\n');
    assert.deepEqual([...await readFile(join(all, 'logo.bin'))], [0, 1]);
    assert.equal(await mode(join(all, 'other')), 0o640);
    assert.equal(await isTmpfs(all), false);
    const some = volDir(p, 'kubernetes.io~configmap', 'some');
    assert.deepEqual((await readdir(some)).filter((n) => !n.startsWith('..')), ['etc']);
    assert.equal(await mode(join(some, 'etc/app.conf')), 0o600);
    const sec = volDir(p, 'kubernetes.io~secret', 'sec');
    assert.equal(await readFile(join(sec, 'user'), 'utf8'), 'admin');
    assert.equal(await mode(join(sec, 'pass')), 0o400);
    assert.equal(await isTmpfs(sec), true);
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
  assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
});

test('the default mode is 0644; an optional missing configMap or secret is an empty volume', async () => {
  objects.set('cm/ns/plain', { data: { a: '1' } });
  const p = pod([
    { name: 'plain', configMap: { name: 'plain' } },
    { name: 'opt', configMap: { name: 'missing', optional: true } },
    { name: 'optsec', secret: { secretName: 'missing', optional: true } },
    { name: 'optkey', configMap: { name: 'plain', optional: true, items: [{ key: 'nokey', path: 'x' }] } },
  ]);
  try {
    await vm.setUpPod(p);
    assert.equal(await mode(join(volDir(p, 'kubernetes.io~configmap', 'plain'), 'a')), 0o644);
    for (const [plugin, name] of [['kubernetes.io~configmap', 'opt'], ['kubernetes.io~secret', 'optsec'], ['kubernetes.io~configmap', 'optkey']]) {
      assert.deepEqual((await readdir(volDir(p, plugin, name))).filter((n) => !n.startsWith('..')), []);
    }
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('failures are FailedMount VolumeErrors in kubelet words, one per volume, and leave no volume dir', async () => {
  objects.set('cm/ns/plain', { data: { a: '1' } });
  const p = pod([
    { name: 'cfg', configMap: { name: 'cfg-missing' } },
    { name: 'sec', secret: { secretName: 's-missing' } },
    { name: 'key', configMap: { name: 'plain', items: [{ key: 'nokey', path: 'x' }] } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'nfs', nfs: { server: 's', path: '/' } },
    { name: 'ok', emptyDir: {} },
  ]);
  try {
    await assert.rejects(vm.setUpPod(p), (e: unknown) => {
      assert.ok(e instanceof VolumeError);
      assert.equal(e.reason, 'FailedMount');
      assert.deepEqual(e.volumes, ['cfg', 'sec', 'key', 'claim', 'nfs']);
      assert.deepEqual(e.failures.map((f) => f.message), [
        'MountVolume.SetUp failed for volume "cfg" : configmap "cfg-missing" not found',
        'MountVolume.SetUp failed for volume "sec" : secret "s-missing" not found',
        'MountVolume.SetUp failed for volume "key" : configmap references non-existent config key: nokey',
        'MountVolume.SetUp failed for volume "claim" : persistentVolumeClaim volumes are not supported on this node yet (claim "data")',
        'MountVolume.SetUp failed for volume "nfs" : volume type nfs is not supported on this node',
      ]);
      return true;
    });
    await assert.rejects(stat(volDir(p, 'kubernetes.io~configmap', 'cfg')), { code: 'ENOENT' });
    assert.equal(await mode(volDir(p, 'kubernetes.io~empty-dir', 'ok')), 0o777, 'the good volumes are set up');
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('hostPath types: create what is missing, check what must exist', async () => {
  const host = join(root, 'host');
  await mkdir(host, { recursive: true });
  await writeFile(join(host, 'file'), 'x');
  const sock = createServer();
  await new Promise<void>((r) => sock.listen(join(host, 'sock'), r));
  try {
    const ok = pod([
      { name: 'd', hostPath: { path: join(host, 'new/dir'), type: 'DirectoryOrCreate' } },
      { name: 'f', hostPath: { path: join(host, 'new-file'), type: 'FileOrCreate' } },
      { name: 'd2', hostPath: { path: host, type: 'Directory' } },
      { name: 'f2', hostPath: { path: join(host, 'file'), type: 'File' } },
      { name: 's', hostPath: { path: join(host, 'sock'), type: 'Socket' } },
      { name: 'any', hostPath: { path: join(host, 'whatever'), type: '' } },
      { name: 'c', hostPath: { path: '/dev/null', type: 'CharDevice' } },
    ]);
    await vm.setUpPod(ok);
    assert.ok((await stat(join(host, 'new/dir'))).isDirectory());
    assert.equal(await mode(join(host, 'new/dir')), 0o755);
    assert.ok((await stat(join(host, 'new-file'))).isFile());
    const bad = pod([
      { name: 'd', hostPath: { path: join(host, 'file'), type: 'Directory' } },
      { name: 'f', hostPath: { path: host, type: 'File' } },
      { name: 'dc', hostPath: { path: join(host, 'file'), type: 'DirectoryOrCreate' } },
      { name: 's', hostPath: { path: join(host, 'file'), type: 'Socket' } },
      { name: 'b', hostPath: { path: '/dev/null', type: 'BlockDevice' } },
      { name: 'fc', hostPath: { path: join(host, 'no/parent'), type: 'FileOrCreate' } },
      { name: 't', hostPath: { path: host, type: 'Bogus' } },
      { name: 'r', hostPath: { path: 'relative', type: '' } },
    ]);
    await assert.rejects(vm.setUpPod(bad), (e: unknown) => {
      assert.ok(e instanceof VolumeError);
      assert.deepEqual(e.failures.map((f) => f.message.replace(/^MountVolume.SetUp failed for volume "\w+" : /, '').replaceAll(host, 'H')), [
        'hostPath type check failed: H/file is not a directory',
        'hostPath type check failed: H is not a file',
        'hostPath type check failed: H/file is not a directory',
        'hostPath type check failed: H/file is not a socket file',
        'hostPath type check failed: /dev/null is not a block device',
        'hostPath type check failed: H/no/parent: no such file or directory',
        'Bogus is an invalid volume type',
        'hostPath "relative" must be an absolute path',
      ]);
      return true;
    });
    assert.deepEqual(vm.mountsFor(ok, { name: 'c', volumeMounts: [{ name: 'd2', mountPath: '/host' }] }),
      [{ containerPath: '/host', hostPath: host, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' }]);
  } finally {
    await new Promise((r) => sock.close(r));
  }
});

test('projected and downwardAPI volumes: sources merged in order, metadata and resource fields', async () => {
  objects.set('cm/ns/pcfg', { data: { 'config.yaml': 'c: 1' } });
  objects.set('secret/ns/psec', { data: { token: b64('t0k') } });
  const containers = [{ name: 'app', image: 'i', resources: { requests: { cpu: '250m' }, limits: { memory: '128Mi' } } }];
  const p = pod([
    { name: 'proj', projected: { defaultMode: 0o440, sources: [
      { configMap: { name: 'pcfg' } },
      { secret: { name: 'psec', items: [{ key: 'token', path: 'sec/token' }] } },
      { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
    ] } },
    { name: 'info', downwardAPI: { items: [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
      { path: 'cpu_req_m', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
      { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory' }, mode: 0o600 },
      { path: 'cpu_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
    ] } },
  ], containers);
  try {
    await vm.setUpPod(p);
    const proj = volDir(p, 'kubernetes.io~projected', 'proj');
    assert.equal(await isTmpfs(proj), true);
    assert.deepEqual((await readdir(proj)).filter((n) => !n.startsWith('..')).sort(), ['config.yaml', 'labels', 'sec']);
    assert.equal(await readFile(join(proj, 'sec/token'), 'utf8'), 't0k');
    assert.equal(await readFile(join(proj, 'labels'), 'utf8'), 'app="x"');
    assert.equal(await mode(join(proj, 'config.yaml')), 0o440);
    const info = volDir(p, 'kubernetes.io~downward-api', 'info');
    const read = async (f: string) => readFile(join(info, f), 'utf8');
    assert.deepEqual([await read('name'), await read('annotations'), await read('cpu_req_m'), await read('mem_limit'), await read('cpu_limit')],
      [p.metadata.name, 'k="v"', '250', String(128 * 2 ** 20), '2']);
    assert.equal(await mode(join(info, 'mem_limit')), 0o600);
    assert.equal(await mode(join(info, 'name')), 0o644);
    const bad = pod([{ name: 'b', downwardAPI: { items: [
      { path: 'x', fieldRef: { fieldPath: 'status.podIP' } }, { path: 'y', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } },
    ] } }]);
    await assert.rejects(vm.setUpPod(bad),
      { message: 'MountVolume.SetUp failed for volume "b" : [unsupported fieldPath: status.podIP, container nope not found]' });
    await vm.tearDownPod(bad.metadata.uid);
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('refreshPod swaps changed contents atomically; subPath mounts keep the old file; a vanished source keeps the old content', async () => {
  objects.set('cm/ns/live', { data: { 'app.conf': 'v1', keep: 'k' } });
  const p = pod([{ name: 'live', configMap: { name: 'live' } }, { name: 'pw', secret: { secretName: 'livesec' } }]);
  objects.set('secret/ns/livesec', { data: { pw: b64('one') } });
  try {
    await vm.setUpPod(p);
    const dir = volDir(p, 'kubernetes.io~configmap', 'live');
    const [sub] = vm.mountsFor(p, { name: 'c', volumeMounts: [{ name: 'live', mountPath: '/etc/app.conf', subPath: 'app.conf' }] }, []);
    assert.equal(await readFile(sub.hostPath, 'utf8'), 'v1');
    assert.equal(sub.readonly, true);
    const oldData = (await readdir(dir)).find((n) => /^\.\.\d/.test(n));
    assert.ok(sub.hostPath.includes(`/${oldData}/`), 'the subPath points into the data dir, not the ..data link');
    objects.set('cm/ns/live', { data: { 'app.conf': 'v2' } });
    objects.set('secret/ns/livesec', { data: { pw: b64('two') } });
    await vm.refreshPod(p);
    assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), 'v2');
    await assert.rejects(stat(join(dir, 'keep')), { code: 'ENOENT' });
    assert.equal(await readFile(join(volDir(p, 'kubernetes.io~secret', 'pw'), 'pw'), 'utf8'), 'two');
    await assert.rejects(stat(sub.hostPath), { code: 'ENOENT' }, 'the old data dir is gone (a running container keeps its bind mount)');
    objects.delete('cm/ns/live');
    await assert.rejects(vm.refreshPod(p), { message: 'MountVolume.SetUp failed for volume "live" : configmap "live" not found' });
    assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), 'v2');
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('mountsFor: order, readOnly, propagation, subPath (created in emptyDir), subPathExpr, /etc/hosts', async () => {
  objects.set('cm/ns/m', { data: { a: '1' } });
  const containers = [{
    name: 'app', image: 'i', env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'data', mountPath: '/logs', subPath: 'logs/app', readOnly: true },
      { name: 'data', mountPath: '/mine', subPathExpr: 'per-pod/$(POD)', mountPropagation: 'HostToContainer' },
      { name: 'cfg', mountPath: '/cfg' },
    ],
  }];
  const p = pod([{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'm' } }], containers,
    { hostname: 'web', subdomain: 'svc', hostAliases: [{ ip: '10.0.0.9', hostnames: ['db', 'db.local'] }] });
  try {
    await vm.setUpPod(p);
    const data = volDir(p, 'kubernetes.io~empty-dir', 'data');
    const mounts = vm.mountsFor(p, containers[0], ['10.1.0.7']);
    const hosts = join(root, 'kubelet/pods', p.metadata.uid, 'etc-hosts');
    assert.deepEqual(mounts, [
      { containerPath: '/data', hostPath: data, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/logs', hostPath: join(data, 'logs/app'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/mine', hostPath: join(data, `per-pod/${p.metadata.name}`), readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      { containerPath: '/cfg', hostPath: volDir(p, 'kubernetes.io~configmap', 'cfg'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/etc/hosts', hostPath: hosts, readonly: false },
    ]);
    assert.equal(await mode(join(data, 'logs/app')), 0o777, 'created with the volume mode');
    assert.equal(await readFile(hosts, 'utf8'), '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
      + 'fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'
      + '10.1.0.7\tweb.svc.ns.svc.cluster.local\tweb\n\n# Entries added by HostAliases.\n10.0.0.9\tdb\tdb.local\n');
    assert.equal(vm.mountsFor(p, { name: 'x' }, []).length, 0, 'no pod IP yet: no hosts file');
    assert.equal(vm.mountsFor(p, { name: 'x', volumeMounts: [{ name: 'data', mountPath: '/etc/hosts', subPath: 'h' }] }, ['10.1.0.7']).length, 1,
      'a container that mounts its own /etc/hosts keeps it');
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('mountsFor errors are ContainerConfigErrors in kubelet words', async () => {
  const p = pod([{ name: 'data', emptyDir: {} }]);
  try {
    await vm.setUpPod(p);
    await mkdir(join(root, 'outside'), { recursive: true });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(root, 'outside'), join(volDir(p, 'kubernetes.io~empty-dir', 'data'), 'escape'));
    const cases: [Obj, string][] = [
      [{ name: 'nope', mountPath: '/x' }, 'cannot find volume "nope" to mount into container "c"'],
      [{ name: 'data', mountPath: '/x', subPath: '/abs' }, 'error SubPath `/abs` must not be an absolute path'],
      [{ name: 'data', mountPath: '/x', subPath: 'a/../../b' }, "unable to provision SubPath `a/../../b`: must not contain '..'"],
      [{ name: 'data', mountPath: '/x', subPath: 'escape' }, 'failed to prepare subPath for volumeMount "data" of container "c"'],
      [{ name: 'data', mountPath: '/x', subPathExpr: '$(NOPE)/$(ALSO)' }, 'missing value for ALSO, NOPE'],
      [{ name: 'data', mountPath: '/x', mountPropagation: 'Bidirectional' }, 'Bidirectional mount propagation is available only to privileged containers'],
    ];
    for (const [m, message] of cases) {
      assert.throws(() => vm.mountsFor(p, { name: 'c', volumeMounts: [m] }, []), (e: unknown) => e instanceof ContainerConfigError && e.message === message);
    }
  } finally {
    await vm.tearDownPod(p.metadata.uid);
  }
});

test('hostNetwork pods get the node hosts file plus aliases', async () => {
  const nodeHosts = join(root, 'node-hosts');
  await writeFile(nodeHosts, '127.0.0.1 localhost\n');
  const m = new VolumeManager({ rootDir: join(root, 'kubelet'), source, nodeHostsFile: nodeHosts });
  const p = pod([], [{ name: 'c' }], { hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] });
  try {
    const [hosts] = m.mountsFor(p, { name: 'c' }, ['192.0.2.1']);
    assert.equal(await readFile(hosts.hostPath, 'utf8'),
      '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n');
  } finally {
    await m.tearDownPod(p.metadata.uid);
  }
});

test('tearDownPod refuses a uid that would leave the pods directory', async () => {
  await assert.rejects(vm.tearDownPod('../x'), /invalid pod uid/);
  await assert.rejects(vm.tearDownPod('..'), /invalid pod uid/);
});
