import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, REQUIRED_APPLETS } from './busybox-image.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tug-image-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Unpacks a tar into a fresh dir (as root, so owners and modes come out as stored). */
function untar(tarPath: string, into: string): string {
  execFileSync('mkdir', ['-p', into]);
  execFileSync('tar', ['-xf', tarPath, '-C', into, '--same-owner', '--same-permissions']);
  return into;
}

test('the docker-archive has a manifest naming the config and layer, and their digests are right', async (t) => {
  const dir = tempDir(t);
  const img = await buildBusyboxImage({ name: 'tugboat.local/busybox', tag: 't1', out: join(dir, 'img.tar'), cmd: ['sh', '-c', 'echo hi'] });
  const x = untar(img.out, join(dir, 'x'));
  const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8'));
  assert.equal(manifest.length, 1);
  assert.deepEqual(manifest[0].RepoTags, ['tugboat.local/busybox:t1']);
  assert.equal(img.ref, 'tugboat.local/busybox:t1');

  const configBytes = readFileSync(join(x, manifest[0].Config));
  assert.equal(sha256(configBytes), img.configDigest, 'the config file is named by, and hashes to, the image ID');
  assert.equal(manifest[0].Config, `${img.configDigest.slice(7)}.json`);
  const layerBytes = readFileSync(join(x, manifest[0].Layers[0]));
  assert.equal(sha256(layerBytes), img.layerDigest);

  const config = JSON.parse(configBytes.toString());
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [img.layerDigest] });
  assert.equal(config.os, 'linux');
  assert.equal(config.architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  assert.deepEqual(config.config.Cmd, ['sh', '-c', 'echo hi']);
  assert.equal(config.config.Entrypoint, undefined);
  assert.match(config.config.Env[0], /^PATH=.*\/bin/);
});

test('the layer holds busybox, its applets as symlinks, passwd/group and a sticky /tmp, owned by root', async (t) => {
  const dir = tempDir(t);
  const img = await buildBusyboxImage({ reference: 'tugboat.local/pause:t2', out: join(dir, 'img.tar'), entrypoint: ['/bin/sh', '-c', 'sleep infinity'] });
  const x = untar(img.out, join(dir, 'x'));
  const layer = untar(join(x, img.layerDigest.slice(7), 'layer.tar'), join(dir, 'rootfs'));
  assert.deepEqual(readFileSync(join(layer, 'bin/busybox')), readFileSync('/usr/bin/busybox'));
  assert.equal(statSync(join(layer, 'bin/busybox')).mode & 0o777, 0o755);
  const names = execFileSync('tar', ['-tvf', join(x, img.layerDigest.slice(7), 'layer.tar')], { encoding: 'utf8' });
  assert.doesNotMatch(names, /^\S+ (?!0\/0 )/m, 'every entry is owned by 0/0');
  for (const applet of REQUIRED_APPLETS) {
    const found = ['bin', 'sbin', 'usr/bin', 'usr/sbin'].map((d) => join(layer, d, applet)).find((p) => { try { return lstatSync(p).isSymbolicLink(); } catch { return false; } });
    assert.ok(found, `applet ${applet} is linked`);
    assert.equal(readlinkSync(found), '/bin/busybox');
  }
  assert.equal(statSync(join(layer, 'tmp')).mode & 0o7777, 0o1777);
  assert.match(readFileSync(join(layer, 'etc/passwd'), 'utf8'), /^root:x:0:0:.*\nnobody:x:65534:65534:/);
  assert.match(readFileSync(join(layer, 'etc/group'), 'utf8'), /^root:x:0:\nnobody:x:65534:/);
  const config = JSON.parse(readFileSync(join(x, `${img.configDigest.slice(7)}.json`), 'utf8'));
  assert.deepEqual(config.config.Entrypoint, ['/bin/sh', '-c', 'sleep infinity']);
  assert.equal(config.config.Cmd, null);
});

test('building twice gives the same bytes (so digests can be cached)', async (t) => {
  const dir = tempDir(t);
  const a = await buildBusyboxImage({ name: 'tugboat.local/busybox', tag: '1', out: join(dir, 'a.tar') });
  const b = await buildBusyboxImage({ name: 'tugboat.local/busybox', tag: '1', out: join(dir, 'b.tar') });
  assert.deepEqual(readFileSync(a.out), readFileSync(b.out));
  assert.equal(a.configDigest, b.configDigest);
});

test('bad input is refused with a clear error and writes nothing', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'x.tar');
  const cases: { name: string; o: Parameters<typeof buildBusyboxImage>[0]; want: RegExp }[] = [
    { name: 'upper-case name', o: { name: 'Tugboat/Busybox', tag: '1', out }, want: /invalid image name "Tugboat\/Busybox"/ },
    { name: 'empty tag', o: { name: 'a/b', tag: '', out }, want: /invalid image tag ""/ },
    { name: 'reference without tag', o: { reference: 'localhost:5000/a', out }, want: /needs a tag/ },
    { name: 'missing busybox', o: { name: 'a/b', tag: '1', out, busybox: '/nonexistent/busybox' }, want: /busybox not found at \/nonexistent\/busybox: install the Debian package busybox-static/ },
    { name: 'not a busybox', o: { name: 'a/b', tag: '1', out, busybox: '/bin/true' }, want: /\/bin\/true lacks applets sh, ls/ },
  ];
  for (const c of cases) await assert.rejects(buildBusyboxImage(c.o), c.want, c.name);
  assert.throws(() => statSync(out));
});
