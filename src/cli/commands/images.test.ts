import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestContainerd, type TestContainerd } from '../../../test/support/containerd.js';
import { buildBusyboxImage } from '../../kubelet/images/busybox-image.js';
import { SANDBOX_IMAGE, TEST_IMAGE } from '../../kubelet/images/names.js';
import { imagesCommand, runtimeEndpoint } from './images.js';

let c: TestContainerd;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tug-images-cli-'));
  c = await startTestContainerd();
});
after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tug images ARGS…` against the test containerd; resolves with what it printed. */
async function tug(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  await imagesCommand((l) => lines.push(l)).parseAsync([...args, '--container-runtime-endpoint', c.endpoint], { from: 'user' });
  return lines;
}

test('import, ls and rm round-trip an image', async () => {
  const img = await buildBusyboxImage({ name: 'tugboat.local/cli', tag: '3', out: join(dir, 'cli.tar') });
  assert.deepEqual(await tug('import', img.out), ['imported tugboat.local/cli:3']);
  const ls = await tug('ls');
  assert.match(ls[0]!, /^IMAGE\s+TAG\s+DIGEST\s+SIZE$/);
  assert.ok(ls.some((l) => /^tugboat\.local\/cli\s+3\s+[0-9a-f]{13}\s+[\d.]+ MiB$/.test(l)), ls.join('\n'));
  assert.ok(ls.some((l) => /^tugboat\.local\/pause\s+1\s/.test(l)));
  const quiet = await tug('ls', '-q');
  assert.ok(quiet.includes(SANDBOX_IMAGE) && quiet.includes(TEST_IMAGE) && quiet.includes('tugboat.local/cli:3'));
  assert.deepEqual(await tug('rm', 'tugboat.local/cli:3'), ['deleted tugboat.local/cli:3']);
  assert.ok(!(await tug('ls', '-q')).includes('tugboat.local/cli:3'));
});

test('errors are one clear line: missing file, bad tar, unknown image, no runtime', async () => {
  await assert.rejects(tug('import', join(dir, 'missing.tar')), { message: `open ${join(dir, 'missing.tar')}: no such file or directory` });
  writeFileSync(join(dir, 'bad.tar'), 'not a tar\n'.repeat(100));
  await assert.rejects(tug('import', join(dir, 'bad.tar')), (e: Error) => /^cannot import .*bad\.tar: /.test(e.message) && !e.message.includes('\n'));
  await assert.rejects(tug('rm', 'tugboat.local/unknown:1'), { message: 'image "tugboat.local/unknown:1" not found' });
  const noRuntime = imagesCommand(() => {}).parseAsync(['ls', '--data-dir', dir], { from: 'user' });
  await assert.rejects(noRuntime, { message: `no container runtime answers at unix://${dir}/containerd/containerd.sock (is tug server running, or is --container-runtime-endpoint right?)` });
  assert.throws(() => runtimeEndpoint({ dataDir: dir, containerRuntimeEndpoint: 'tcp://1.2.3.4:5' }), /must be unix:\/\/\/absolute\/path/);
});
