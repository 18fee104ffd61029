import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestContainerd, TEST_IMAGE_CACHE } from '../../../test/support/containerd.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { criReadiness } from './cri-ready.js';
import { startContainerd } from './supervisor.js';
import { listImages } from '../images/ctr.js';
import { SANDBOX_IMAGE, TEST_IMAGE } from '../images/names.js';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout);

test('a test containerd has the pause and test images, and stop leaves no process, bridge or dir', async () => {
  const t0 = performance.now();
  const c = await startTestContainerd();
  const startMs = performance.now() - t0;
  try {
    const refs = (await listImages(c.endpoint)).map((i) => i.ref);
    assert.ok(refs.includes(SANDBOX_IMAGE), `images: ${refs}`);
    assert.ok(refs.includes(TEST_IMAGE), `images: ${refs}`);
    assert.ok(existsSync(`/sys/class/net/${c.bridge}`) === false, 'the bridge appears with the first pod, not before');
    assert.match(c.subnet, /^10\.244\.\d+\.0\/24$/);
    assert.equal(await criReadiness(c.endpoint.slice('unix://'.length)), 'ready');
    console.log(`# test containerd up with both images in ${startMs.toFixed(0)} ms`);
  } finally {
    const pid = c.pid;
    await c.stop();
    assert.equal(alive(pid), false, 'containerd is gone');
    assert.equal(existsSync(c.dir), false, 'its dir is removed');
    assert.equal(existsSync(`/sys/class/net/${c.bridge}`), false, 'no bridge');
  }
});

test('a second start on the same dir is quick and does not rebuild or re-import the sandbox image', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-ctd-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const imageDir = join(dir, 'images');
  let t0 = performance.now();
  const first = await startContainerd({ dir: join(dir, 'containerd'), imageDir });
  const firstMs = performance.now() - t0;
  await first.stop();
  const [tar] = await readdir(imageDir);
  const mtime = statSync(join(imageDir, tar!)).mtimeMs;

  t0 = performance.now();
  const second = await startContainerd({ dir: join(dir, 'containerd'), imageDir });
  const secondMs = performance.now() - t0;
  try {
    assert.deepEqual(await readdir(imageDir), [tar]);
    assert.equal(statSync(join(imageDir, tar!)).mtimeMs, mtime, 'the pause image tar was not rebuilt');
    assert.ok((await listImages(second.endpoint)).some((i) => i.ref === SANDBOX_IMAGE));
    assert.ok(secondMs < 5000, `second start took ${secondMs} ms`);
    console.log(`# containerd start with pause image build+import: ${firstMs.toFixed(0)} ms; restart (image present): ${secondMs.toFixed(0)} ms`);
  } finally {
    await second.stop();
  }
  assert.equal(alive(second.pid), false);
});

test('containerd that dies is restarted; after stop() it is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-ctd-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ctd = await startContainerd({ dir, imageDir: TEST_IMAGE_CACHE });
  try {
    const firstPid = ctd.pid;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => ctd.pid !== firstPid && alive(ctd.pid), 'a new containerd', 10_000);
    await waitFor(async () => (await criReadiness(join(dir, 'containerd.sock'))) === 'ready', 'CRI to answer again', 20_000);
  } finally {
    await ctd.stop();
  }
  const pid = ctd.pid;
  assert.equal(alive(pid), false);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ctd.pid, pid, 'no restart after stop()');
  assert.equal(await criReadiness(join(dir, 'containerd.sock')), 'down');
});

test('bad input and failed starts give clear errors and leave no process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-ctd-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(startContainerd({ dir, binary: '/nonexistent/containerd' }), /containerd not found at \/nonexistent\/containerd: install the Debian package containerd/);
  await assert.rejects(startContainerd({ dir, binary: 'containerd' }), /must be an absolute path/);
  // A "containerd" that exits at once: the error says so and carries its log.
  await assert.rejects(startContainerd({ dir, binary: '/bin/false', sandboxImage: SANDBOX_IMAGE }), (e: Error) => {
    assert.match(e.message, /did not start: containerd exited \(1\)/);
    assert.match(e.message, /containerd\.log/);
    return true;
  });
  // Two instances on one dir: the second refuses instead of fighting over the metadata lock.
  const ctd = await startContainerd({ dir, imageDir: TEST_IMAGE_CACHE });
  try {
    await assert.rejects(startContainerd({ dir, imageDir: TEST_IMAGE_CACHE }), /another containerd already serves/);
  } finally {
    await ctd.stop();
  }
});
