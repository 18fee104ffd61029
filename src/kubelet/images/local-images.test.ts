import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localImageTar, PAUSE_ENTRYPOINT } from './local-images.js';
import { SANDBOX_IMAGE, TEST_IMAGE } from './names.js';

test('the pause process ends at once on SIGTERM (PID 1 ignores signals it has no handler for)', async () => {
  const [sh, ...args] = PAUSE_ENTRYPOINT;
  // The host's busybox runs the same script the image runs; /bin/sh in the image is busybox.
  const child = spawn('/usr/bin/busybox', [sh!.slice('/bin/'.length), ...args], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(child.exitCode, null, 'it keeps running until signalled');
  const t0 = performance.now();
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 0);
  assert.ok(performance.now() - t0 < 1000);
});

test('image tars are built once per busybox binary and then reused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-local-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pause = await localImageTar(SANDBOX_IMAGE, dir);
  const busybox = await localImageTar(TEST_IMAGE, dir);
  assert.match(pause, /\/pause-1-[0-9a-f]{16}\.tar$/);
  assert.match(busybox, /\/busybox-1-[0-9a-f]{16}\.tar$/);
  const mtime = statSync(pause).mtimeMs;
  assert.equal(await localImageTar(SANDBOX_IMAGE, dir), pause);
  assert.equal(statSync(pause).mtimeMs, mtime, 'not rebuilt');
  await assert.rejects(localImageTar('docker.io/library/nginx:1' as typeof TEST_IMAGE, dir), /is not an image tugboat builds/);
  await assert.rejects(localImageTar(TEST_IMAGE, dir, '/nonexistent/busybox'), /busybox not found at \/nonexistent\/busybox/);
});
