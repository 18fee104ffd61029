import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogFormatter, logOptionsFrom, parseLogLine, parseTimestamp } from './cri-log.js';

const b = (s: string) => Buffer.from(s);
const run = (f: LogFormatter, lines: string[]) => Buffer.concat(lines.flatMap((l) => f.line(b(l)))).toString();

test('CRI log lines parse into time, stream, partial flag and text', () => {
  assert.deepEqual(parseLogLine(b('2024-05-01T10:00:00.123456789Z stdout F hello world')),
    { time: '2024-05-01T10:00:00.123456789Z', stream: 'stdout', partial: false, text: b('hello world') });
  assert.deepEqual(parseLogLine(b('2024-05-01T10:00:00Z stderr P  two spaces')),
    { time: '2024-05-01T10:00:00Z', stream: 'stderr', partial: true, text: b(' two spaces') });
  assert.deepEqual(parseLogLine(b('2024-05-01T10:00:00Z stdout F')), { time: '2024-05-01T10:00:00Z', stream: 'stdout', partial: false, text: b('') });
  assert.equal(parseLogLine(b('not a cri line')), undefined);
  assert.equal(parseLogLine(b('')), undefined);
});

test('timestamps are printed with nine fraction digits and a zero offset as Z, as the kubelet does', () => {
  assert.deepEqual(parseTimestamp('2024-05-01T10:00:00.5Z'), { ms: Date.parse('2024-05-01T10:00:00Z') + 500, fixed: '2024-05-01T10:00:00.500000000Z' });
  assert.equal(parseTimestamp('2024-05-01T10:00:00+00:00')?.fixed, '2024-05-01T10:00:00.000000000Z');
  assert.equal(parseTimestamp('2024-05-01T12:00:00.000000001+02:00')?.fixed, '2024-05-01T12:00:00.000000001+02:00');
  assert.equal(parseTimestamp('2024-05-01T12:00:00+02:00')?.ms, Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(parseTimestamp('yesterday'), undefined);
});

test('partial pieces join into one line that carries the time of its first piece', () => {
  const f = new LogFormatter({ timestamps: true });
  assert.equal(run(f, ['2024-05-01T10:00:00.1Z stdout P abc', '2024-05-01T10:00:00.2Z stdout P def', '2024-05-01T10:00:00.3Z stdout F ghi',
    '2024-05-01T10:00:01Z stderr F err']),
  '2024-05-01T10:00:00.100000000Z abcdefghi\n2024-05-01T10:00:01.000000000Z err\n');
});

test('sinceMs drops older lines; limitBytes cuts the output and then says done', () => {
  const since = new LogFormatter({ timestamps: false, sinceMs: Date.parse('2024-05-01T10:00:01Z') });
  assert.equal(run(since, ['2024-05-01T10:00:00Z stdout F old', '2024-05-01T10:00:01Z stdout F new', 'garbage']), 'new\n');
  const limit = new LogFormatter({ timestamps: false, limitBytes: 6 });
  assert.equal(run(limit, ['2024-05-01T10:00:00Z stdout F one', '2024-05-01T10:00:00Z stdout F two', '2024-05-01T10:00:00Z stdout F three']), 'one\ntw');
  assert.equal(limit.done, true);
});

test('the kubelet query becomes log options; bad values are 400s with the reason', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  assert.deepEqual(logOptionsFrom(new URLSearchParams('follow=true&previous=1&timestamps=true&tailLines=10&limitBytes=100&sinceSeconds=60'), now),
    { follow: true, previous: true, timestamps: true, tailLines: 10, limitBytes: 100, sinceMs: now - 60_000 });
  assert.deepEqual(logOptionsFrom(new URLSearchParams('sinceTime=2024-05-01T09:00:00Z'), now),
    { follow: false, previous: false, timestamps: false, sinceMs: Date.parse('2024-05-01T09:00:00Z') });
  assert.throws(() => logOptionsFrom(new URLSearchParams('tailLines=-1')), (e: any) => e.code === 400 && /tailLines/.test(e.message));
  assert.throws(() => logOptionsFrom(new URLSearchParams('limitBytes=0')), /limitBytes/);
  assert.throws(() => logOptionsFrom(new URLSearchParams('sinceSeconds=5&sinceTime=2024-05-01T09:00:00Z')), /at most one of/);
  assert.throws(() => logOptionsFrom(new URLSearchParams('sinceTime=soon')), /invalid sinceTime/);
});
