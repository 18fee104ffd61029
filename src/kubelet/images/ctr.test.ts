import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestContainerd, type TestContainerd } from '../../../test/support/containerd.js';
import { buildBusyboxImage, type BuiltImage } from './busybox-image.js';
import { checkEndpoint, importImage, listImages, normalizeRef, removeImage, socketPath } from './ctr.js';
import { SANDBOX_IMAGE, TEST_IMAGE } from './names.js';

let c: TestContainerd;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tug-ctr-test-'));
  c = await startTestContainerd();
});
after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The same image as an OCI image layout tar (oci-layout, index.json, blobs/sha256/…). */
function toOCILayout(img: BuiltImage, out: string, refName?: string): void {
  const x = join(dir, `x-${Math.random()}`);
  mkdirSync(x);
  execFileSync('tar', ['-xf', img.out, '-C', x]);
  const oci = join(x, 'oci');
  mkdirSync(join(oci, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const hex = createHash('sha256').update(b).digest('hex');
    writeFileSync(join(oci, 'blobs/sha256', hex), b);
    return { digest: `sha256:${hex}`, size: b.length };
  };
  const config = put(readFileSync(join(x, `${img.configDigest.slice(7)}.json`)));
  const layer = put(readFileSync(join(x, img.layerDigest.slice(7), 'layer.tar')));
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  writeFileSync(join(oci, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(oci, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{
    mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
    ...(refName ? { annotations: { 'org.opencontainers.image.ref.name': refName } } : {}),
  }] }));
  execFileSync('tar', ['-cf', out, '-C', oci, '.']);
}

test('a docker-archive imports under its own name, lists, and is removed', async () => {
  const img = await buildBusyboxImage({ name: 'tugboat.local/imported', tag: '7', out: join(dir, 'imported.tar') });
  const t0 = performance.now();
  assert.deepEqual(await importImage(c.endpoint, img.out), ['tugboat.local/imported:7']);
  console.log(`# import of a busybox image: ${(performance.now() - t0).toFixed(0)} ms`);
  const listed = await listImages(c.endpoint);
  const mine = listed.find((i) => i.ref === 'tugboat.local/imported:7');
  assert.ok(mine, JSON.stringify(listed));
  assert.match(mine.digest, /^sha256:[0-9a-f]{64}$/);
  assert.match(mine.size, /^[\d.]+ [KM]iB$/);
  assert.ok(!listed.some((i) => i.ref.startsWith('sha256:')), 'the ID aliases CRI adds are not listed');
  await removeImage(c.endpoint, 'tugboat.local/imported:7');
  assert.ok(!(await listImages(c.endpoint)).some((i) => i.ref === 'tugboat.local/imported:7'));
});

test('a docker-archive with a short name is normalized as Docker does; rm accepts the short name', async () => {
  const img = await buildBusyboxImage({ name: 'local/short', tag: '1', out: join(dir, 'short.tar') });
  assert.deepEqual(await importImage(c.endpoint, img.out), ['docker.io/local/short:1']);
  await removeImage(c.endpoint, 'local/short:1');
  assert.ok(!(await listImages(c.endpoint)).some((i) => i.ref === 'docker.io/local/short:1'));
});

test('an OCI layout tar imports by its full ref name, or a tag-only ref under --base-name', async () => {
  const img = await buildBusyboxImage({ name: 'tugboat.local/oci', tag: '1', out: join(dir, 'oci-src.tar') });
  toOCILayout(img, join(dir, 'oci-full.tar'), 'tugboat.local/oci:1');
  assert.deepEqual(await importImage(c.endpoint, join(dir, 'oci-full.tar')), ['tugboat.local/oci:1']);
  toOCILayout(img, join(dir, 'oci-tag.tar'), '2');
  assert.deepEqual(await importImage(c.endpoint, join(dir, 'oci-tag.tar'), { baseName: 'tugboat.local/oci' }), ['tugboat.local/oci:2']);
  const refs = (await listImages(c.endpoint)).map((i) => i.ref);
  assert.ok(refs.includes('tugboat.local/oci:1') && refs.includes('tugboat.local/oci:2'), String(refs));
});

test('bad input: a missing file, a file that is no image, an unknown image, no runtime', async () => {
  await assert.rejects(importImage(c.endpoint, join(dir, 'nope.tar')), /^Error: open .*nope\.tar: no such file or directory$/);
  writeFileSync(join(dir, 'junk.tar'), 'this is not a tar archive\n'.repeat(40));
  await assert.rejects(importImage(c.endpoint, join(dir, 'junk.tar')), /cannot import .*junk\.tar: .*(tar|format)/);
  execFileSync('tar', ['-cf', join(dir, 'empty.tar'), '-C', dir, 'junk.tar']);
  await assert.rejects(importImage(c.endpoint, join(dir, 'empty.tar')), /cannot import .*empty\.tar/);
  await assert.rejects(removeImage(c.endpoint, 'tugboat.local/never:1'), /image "tugboat.local\/never:1" not found/);
  const gone = `unix://${join(dir, 'no.sock')}`;
  await assert.rejects(listImages(gone), /no container runtime answers at unix:\/\/.*no\.sock/);
  await assert.rejects(importImage(gone, join(dir, 'short.tar')), /no container runtime answers/);
  assert.throws(() => socketPath('relative.sock'), /must be unix:\/\/\/absolute\/path/);
  await assert.rejects(checkEndpoint(gone), /is tug server running/);
  // The images the node needs are untouched by all this.
  const refs = (await listImages(c.endpoint)).map((i) => i.ref);
  assert.ok(refs.includes(SANDBOX_IMAGE) && refs.includes(TEST_IMAGE));
});

test('normalizeRef follows Docker', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['local/pause:1', 'docker.io/local/pause:1'],
    ['tugboat.local/busybox:1', 'tugboat.local/busybox:1'],
    ['localhost/x', 'localhost/x:latest'],
    ['127.0.0.1:5000/a/b:2', '127.0.0.1:5000/a/b:2'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeRef(input), want, input);
});
