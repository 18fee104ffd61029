/**
 * The access-log line is what pino itself writes for the same fields (operators' log pipelines
 * parse it as any other pino line), for any logger bindings and for paths that need escaping.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { writeAccessLog, type AccessLogFields } from './access-log.js';

function capture(opts: pino.LoggerOptions): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { log: pino(opts, sink), lines };
}

const cases: AccessLogFields[] = [
  { method: 'GET', host: 'app.test', path: '/a?b=1', status: 200, bytes: 3, durationMs: 1.234, upstream: '10.42.0.5:8080',
    ingress: 'default/web', requestId: 'r1', protocol: 'HTTP/1.1' },
  { method: 'POST', host: '', path: '/q"uo\\te\u0001\u2028é', status: 404, bytes: 0, durationMs: 0, requestId: 'r2', protocol: 'HTTP/2' },
];

for (const opts of [{}, { base: undefined }, { base: { component: 'ingress' } }] as pino.LoggerOptions[]) {
  test(`an access-log line is pino's own line (bindings ${JSON.stringify(opts.base ?? 'default')})`, async () => {
    for (const fields of cases) {
      const ours = capture(opts);
      const pinos = capture(opts);
      writeAccessLog(ours.log, fields);
      pinos.log.info({ ...fields }, 'ingress request');
      await new Promise((r) => setImmediate(r));
      assert.equal(ours.lines.length, 1);
      assert.ok(ours.lines[0].endsWith('}\n'));
      const [a, b] = [JSON.parse(ours.lines[0]), JSON.parse(pinos.lines[0])];
      assert.ok(Math.abs(a.time - b.time) < 1000);
      assert.deepEqual(Object.keys(a), Object.keys(b));
      assert.deepEqual({ ...a, time: 0 }, { ...b, time: 0 });
    }
  });
}

test('a logger above info writes no access log', async () => {
  const { log, lines } = capture({ level: 'warn' });
  writeAccessLog(log, cases[0]);
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 0);
});

test('lines written in one turn reach the destination whole and in order', async () => {
  const { log, lines } = capture({});
  for (let i = 0; i < 100; i++) writeAccessLog(log, { ...cases[0], requestId: `r${i}` });
  await new Promise((r) => setImmediate(r));
  const text = lines.join('');
  assert.ok(text.endsWith('\n'));
  assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l).requestId), Array.from({ length: 100 }, (_, i) => `r${i}`));
});

test('lines held for a destination that closes before they are flushed are dropped, not thrown', async () => {
  const dest = pino.destination({ dest: '/dev/null', sync: true });
  const log = pino({}, dest);
  writeAccessLog(log, cases[0]);
  dest.destroy();
  await new Promise((r) => setImmediate(r));
  assert.throws(() => dest.write('x\n'), /destroyed/, 'the destination throws when written after it closed');
});

test('a turn of lines larger than the held buffer, in several scripts, reaches each destination whole, and the next turn too', async () => {
  const a = capture({});
  const b = capture({ base: { component: 'ingress' } });
  const path = '/é/日本/😀/';
  for (let i = 0; i < 1000; i++) {
    writeAccessLog(a.log, { ...cases[0], path: path + i, requestId: `a${i}` });
    writeAccessLog(b.log, { ...cases[0], requestId: `b${i}` });
  }
  await new Promise((r) => setImmediate(r));
  const parsed = a.lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.ok(Buffer.byteLength(a.lines.join('')) > 64 * 1024);
  assert.deepEqual(parsed.map((l) => l.path), Array.from({ length: 1000 }, (_, i) => path + i));
  assert.deepEqual(b.lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l).requestId), Array.from({ length: 1000 }, (_, i) => `b${i}`));
  a.lines.length = 0;
  writeAccessLog(a.log, { ...cases[0], requestId: 'next' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(a.lines.map((l) => JSON.parse(l).requestId), ['next']);
});
