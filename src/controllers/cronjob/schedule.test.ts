import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchedule } from './schedule.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const cases: { name: string; spec: string; after: string; want: string[] }[] = [
  { name: 'every five minutes steps from the start of the hour', spec: '*/5 * * * *', after: '2026-03-01T10:03:20Z',
    want: ['2026-03-01T10:05:00.000Z', '2026-03-01T10:10:00.000Z'] },
  { name: 'a range with a step in hours', spec: '30 6-16/4 * * *', after: '2026-03-01T10:31:00Z',
    want: ['2026-03-01T14:30:00.000Z', '2026-03-02T06:30:00.000Z'] },
  { name: 'month and day names', spec: '0 9 * feb MON-wed', after: '2026-01-20T00:00:00Z',
    want: ['2026-02-02T09:00:00.000Z', '2026-02-03T09:00:00.000Z', '2026-02-04T09:00:00.000Z', '2026-02-09T09:00:00.000Z'] },
  { name: 'day-of-month and day-of-week both restricted: either matches', spec: '0 0 13 * 5', after: '2026-02-01T00:00:00Z',
    want: ['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z'] },
  { name: 'a list of minutes', spec: '1,2,59 * * * *', after: '2026-03-01T10:02:00Z',
    want: ['2026-03-01T10:59:00.000Z', '2026-03-01T11:01:00.000Z'] },
  { name: '@hourly', spec: '@hourly', after: '2026-03-01T10:00:00Z', want: ['2026-03-01T11:00:00.000Z'] },
  { name: '@daily', spec: '@daily', after: '2026-03-01T10:00:00Z', want: ['2026-03-02T00:00:00.000Z'] },
  { name: '@weekly runs on Sundays', spec: '@weekly', after: '2026-03-02T00:00:00Z', want: ['2026-03-08T00:00:00.000Z'] },
  { name: '@monthly', spec: '@monthly', after: '2026-03-02T00:00:00Z', want: ['2026-04-01T00:00:00.000Z'] },
  { name: '@yearly', spec: '@yearly', after: '2026-03-02T00:00:00Z', want: ['2027-01-01T00:00:00.000Z'] },
  { name: '@every 90m counts from the given time', spec: '@every 1h30m', after: '2026-03-01T10:00:10.500Z',
    want: ['2026-03-01T11:30:10.000Z', '2026-03-01T13:00:10.000Z'] },
  { name: 'the 31st skips short months', spec: '0 0 31 * *', after: '2026-04-01T00:00:00Z', want: ['2026-05-31T00:00:00.000Z'] },
  { name: 'TZ= with a fixed zone shifts wall-clock times', spec: 'TZ=Etc/GMT-2 0 9 * * *', after: '2026-03-01T00:00:00Z',
    want: ['2026-03-01T07:00:00.000Z', '2026-03-02T07:00:00.000Z'] },
  { name: 'CRON_TZ=UTC', spec: 'CRON_TZ=UTC 0 9 * * *', after: '2026-03-01T00:00:00Z', want: ['2026-03-01T09:00:00.000Z'] },
  { name: 'an IANA zone with DST (New York, summer: UTC-4)', spec: 'TZ=America/New_York 0 9 * * *', after: '2026-07-01T00:00:00Z',
    want: ['2026-07-01T13:00:00.000Z'] },
];

for (const c of cases) {
  test(c.name, () => {
    const s = parseSchedule(c.spec);
    const got: (string | undefined)[] = [];
    let t = at(c.after);
    for (let i = 0; i < c.want.length; i++) {
      const n = s.next(t)!;
      got.push(iso(n));
      t = n;
    }
    assert.deepEqual(got, c.want);
  });
}

test('an impossible date has no next time within five years', () => {
  assert.equal(parseSchedule('0 0 30 2 *').next(at('2026-01-01T00:00:00Z')), undefined);
});

test('invalid specs throw robfig/cron messages', () => {
  assert.throws(() => parseSchedule('* * *'), /expected exactly 5 fields, found 3: \[\* \* \*\]/);
  assert.throws(() => parseSchedule('61 * * * *'), /end of range \(61\) above maximum \(59\): 61/);
  assert.throws(() => parseSchedule('TZ=Mars/Olympus 0 * * * *'), /provided bad location Mars\/Olympus: unknown time zone Mars\/Olympus/);
});

const cj = (created: string, extra: { lastScheduleTime?: string; startingDeadlineSeconds?: number } = {}) => ({
  metadata: { name: 'c', creationTimestamp: created },
  spec: { schedule: '*/10 * * * *', startingDeadlineSeconds: extra.startingDeadlineSeconds },
  status: { lastScheduleTime: extra.lastScheduleTime },
});

test('mostRecentScheduleTime picks the latest missed time and counts misses', () => {
  const s = parseSchedule('*/10 * * * *');
  const now = at('2026-03-01T12:05:00Z');
  assert.deepEqual(mostRecentScheduleTime(cj('2026-03-01T12:01:00Z'), now, s, true), { earliest: at('2026-03-01T12:01:00Z'), missed: 'none' });
  const one = mostRecentScheduleTime(cj('2026-03-01T11:55:00Z'), now, s, true);
  assert.equal(iso(one.mostRecent), '2026-03-01T12:00:00.000Z');
  const many = mostRecentScheduleTime(cj('2026-02-01T00:00:00Z'), now, s, true);
  assert.equal(iso(many.mostRecent), '2026-03-01T12:00:00.000Z');
  assert.equal(many.missed, 'many');
  const few = mostRecentScheduleTime(cj('2026-02-01T00:00:00Z', { startingDeadlineSeconds: 1800 }), now, s, true);
  assert.equal(few.missed, 'few', 'startingDeadlineSeconds bounds how far back misses are counted');
});

test('nextScheduleDelayMs is 100 ms past the next activation', () => {
  const s = parseSchedule('*/10 * * * *');
  const now = at('2026-03-01T12:05:00Z');
  assert.equal(nextScheduleDelayMs(cj('2026-03-01T11:55:00Z', { lastScheduleTime: '2026-03-01T12:00:00Z' }), now, s), 5 * 60_000 + 100);
});
