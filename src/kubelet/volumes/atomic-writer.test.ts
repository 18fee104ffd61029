/**
 * @module AtomicWriter: the `..data` layout, modes, nested paths, no rewrite when unchanged,
 * an update as one swap (readers never see a partial file), removed keys, invalid paths.
 */
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { validatePath, writeAtomically, type Payload } from './atomic-writer.js';

const dirs: string[] = [];
after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'tug-aw-')); dirs.push(d); return d; };
const payload = (entries: Record<string, string | [string, number]>): Payload =>
  new Map(Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));

test('files appear through symlinks to ..data, with their modes, nested paths under one top-level link', async () => {
  const dir = await tempDir();
  assert.equal(await writeAtomically(dir, payload({ a: 'A', 'conf/b.yaml': ['B', 0o400] })), true);
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names.slice(1), ['..data', 'a', 'conf']);
  assert.match(names[0], /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\..+$/);
  assert.equal(await readlink(join(dir, '..data')), names[0]);
  assert.equal(await readlink(join(dir, 'a')), '..data/a');
  assert.equal(await readlink(join(dir, 'conf')), '..data/conf');
  assert.equal(await readFile(join(dir, 'conf/b.yaml'), 'utf8'), 'B');
  assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o644);
  assert.equal((await stat(join(dir, 'conf/b.yaml'))).mode & 0o777, 0o400);
  assert.equal((await stat(join(dir, names[0]))).mode & 0o777, 0o755);
});

test('an unchanged payload is not rewritten; a changed one swaps ..data and drops the old dir and keys', async () => {
  const dir = await tempDir();
  await writeAtomically(dir, payload({ a: '1', gone: 'x' }));
  const first = await readlink(join(dir, '..data'));
  assert.equal(await writeAtomically(dir, payload({ a: '1', gone: 'x' })), false);
  assert.equal(await readlink(join(dir, '..data')), first);
  assert.equal(await writeAtomically(dir, payload({ a: '1', gone: ['x', 0o600] })), true, 'a mode change is a change');
  assert.equal(await writeAtomically(dir, payload({ a: '2', new: 'n' })), true);
  const second = await readlink(join(dir, '..data'));
  assert.notEqual(second, first);
  assert.deepEqual((await readdir(dir)).sort(), [second, '..data', 'a', 'new'].sort());
  assert.equal(await readFile(join(dir, 'a'), 'utf8'), '2');
  await assert.rejects(lstat(join(dir, 'gone')), { code: 'ENOENT' });
});

test('an empty payload leaves an empty volume', async () => {
  const dir = await tempDir();
  await writeAtomically(dir, payload({ a: '1' }));
  await writeAtomically(dir, new Map());
  assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), []);
});

test('readers never see a partial file while it is rewritten', async () => {
  const dir = await tempDir();
  const version = (i: number) => String(i).repeat(200_000);
  await writeAtomically(dir, payload({ big: version(0) }));
  let writing = true;
  const seen = new Set<number>();
  const reader = (async () => {
    while (writing) {
      const text = await readFile(join(dir, 'big'), 'utf8').catch((e) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      if (text === undefined) continue;
      assert.equal(text.length, 200_000);
      assert.equal(text, text[0].repeat(200_000));
      seen.add(Number(text[0]));
    }
  })();
  for (let i = 1; i <= 9; i++) await writeAtomically(dir, payload({ big: version(i) }));
  writing = false;
  await reader;
  assert.equal(await readFile(join(dir, 'big'), 'utf8'), version(9));
  assert.ok(seen.size >= 1);
});

const bad: [string, RegExp][] = [
  ['', /must not be empty/],
  ['/etc/passwd', /must be relative path/],
  ['a/../../b', /must not contain '\.\.'/],
  ['..hidden', /must not start with '\.\.'/],
  ['x'.repeat(256), /filenames must be less than or equal to 255/],
];
for (const [p, re] of bad) test(`invalid path ${JSON.stringify(p.slice(0, 20))} is refused and nothing is written`, async () => {
  assert.throws(() => validatePath(p), re);
  const dir = await tempDir();
  await assert.rejects(writeAtomically(dir, payload({ ok: 'y', [p]: 'x' })), re);
  assert.deepEqual(await readdir(dir), []);
});
