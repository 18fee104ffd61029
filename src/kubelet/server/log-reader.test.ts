import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readContainerLog, tailStart } from './log-reader.js';
import type { LogOptions } from './cri-log.js';

const line = (text: string, tag = 'F', stream = 'stdout') => `2024-05-01T10:00:00.000000001Z ${stream} ${tag} ${text}\n`;

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tug-logs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function read(path: string, opts: Partial<LogOptions>, more: Partial<Parameters<typeof readContainerLog>[0]> = {}): Promise<string> {
  const out: Buffer[] = [];
  await readContainerLog({
    path, opts: { follow: false, previous: false, timestamps: false, ...opts },
    write: async (c) => { out.push(c); }, signal: new AbortController().signal, isRunning: async () => false, ...more,
  });
  return Buffer.concat(out).toString();
}

test('the whole file, its last N lines (partial pieces count with their line), and nothing for tail 0', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, '0.log');
  await writeFile(path, line('one') + line('tw', 'P') + line('o') + line('three') + 'garbage\n' + line('four'));
  assert.equal(await read(path, {}), 'one\ntwo\nthree\nfour\n');
  assert.equal(await read(path, { tailLines: 3 }), 'two\nthree\nfour\n');
  assert.equal(await read(path, { tailLines: 1 }), 'four\n');
  assert.equal(await read(path, { tailLines: 0 }), '');
  assert.equal(await read(path, { tailLines: 99 }), 'one\ntwo\nthree\nfour\n');
  assert.equal(await read(join(dir, 'missing.log'), {}), '');
});

test('the tail is found across read blocks in a big file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'big.log');
  const lines = Array.from({ length: 20_000 }, (_, i) => line(`line ${i} ${'x'.repeat(i % 50)}`));
  await writeFile(path, lines.join(''));
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const start = await tailStart(fh, size, 1234);
    assert.equal(start, Buffer.byteLength(lines.slice(0, 20_000 - 1234).join('')));
  } finally {
    await fh.close();
  }
  const text = await read(path, { tailLines: 2 });
  assert.equal(text, `line 19998 ${'x'.repeat(19998 % 50)}\nline 19999 ${'x'.repeat(19999 % 50)}\n`);
});

test('follow streams new lines, follows the file across a rotation and ends once the container stopped', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, '0.log');
  await writeFile(path, line('first'));
  let running = true;
  const chunks: string[] = [];
  const done = readContainerLog({
    path, opts: { follow: true, previous: false, timestamps: false },
    write: async (c) => { chunks.push(c.toString()); }, signal: new AbortController().signal,
    isRunning: async () => running, pollMs: 50,
  });
  const waitFor = async (text: string) => {
    for (let i = 0; i < 100 && !chunks.join('').includes(text); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(chunks.join('').includes(text), `saw ${JSON.stringify(chunks.join(''))}`);
  };
  await waitFor('first\n');
  await appendFile(path, line('second'));
  await waitFor('second\n');
  await rename(path, `${path}.20240501-100000`);
  await writeFile(path, line('after rotation'));
  await waitFor('after rotation\n');
  await appendFile(path, line('last words'));
  running = false;
  await done;
  assert.equal(chunks.join(''), 'first\nsecond\nafter rotation\nlast words\n');
});

test('follow stops when the client goes away', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, '0.log');
  await writeFile(path, line('x'));
  const ac = new AbortController();
  const done = read(path, { follow: true }, { signal: ac.signal, isRunning: async () => true, pollMs: 20 });
  setTimeout(() => ac.abort(), 100);
  assert.equal(await done, 'x\n');
});
