/** @module Tests of the Prometheus text reader: the kubelet's output, the format's corners, and malformed input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText } from './prometheus-text.js';

test('samples with labels, values and timestamps; HELP, TYPE and blank lines skipped', () => {
  const text = [
    '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
    '# TYPE node_cpu_usage_seconds_total counter',
    'node_cpu_usage_seconds_total 13.3 1700000000123',
    '',
    'container_memory_working_set_bytes{container="app",namespace="ns",pod="web"} 1.2e+07 1700000000100',
    'resource_scrape_error 0',
    '',
  ].join('\n');
  assert.deepEqual(parsePrometheusText(text), [
    { name: 'node_cpu_usage_seconds_total', labels: {}, value: 13.3, timestampMs: 1700000000123 },
    { name: 'container_memory_working_set_bytes', labels: { container: 'app', namespace: 'ns', pod: 'web' }, value: 12_000_000, timestampMs: 1700000000100 },
    { name: 'resource_scrape_error', labels: {}, value: 0 },
  ]);
});

test('the format\'s corners: escapes, spaces around labels, a trailing comma, empty braces, CRLF, NaN and ±Inf', () => {
  const text = 'a{x="q\\"u\\\\o\\nte" , y = "2",} NaN\r\nb{} +Inf\nc -Inf -5\nd{z=""} .5e-3\n';
  const got = parsePrometheusText(text);
  assert.deepEqual(got[0].labels, { x: 'q"u\\o\nte', y: '2' });
  assert.ok(Number.isNaN(got[0].value));
  assert.deepEqual(got.slice(1), [
    { name: 'b', labels: {}, value: Infinity },
    { name: 'c', labels: {}, value: -Infinity, timestampMs: -5 },
    { name: 'd', labels: { z: '' }, value: 0.0005 },
  ]);
});

const bad: { name: string; text: string; want: RegExp }[] = [
  { name: 'a line without a value', text: 'ok 1\nnovalue\n', want: /line 2: want a value/ },
  { name: 'a value that is not a number', text: 'm abc', want: /line 1: invalid value "abc"/ },
  { name: 'a timestamp that is not an integer', text: 'm 1 2.5', want: /line 1: invalid timestamp "2.5"/ },
  { name: 'extra fields', text: 'm 1 2 3', want: /line 1: want a value and an optional timestamp/ },
  { name: 'an unterminated label value', text: 'm{a="b} 1', want: /line 1: label a: unterminated value/ },
  { name: 'a label without quotes', text: 'm{a=b} 1', want: /line 1: label a: want ="value"/ },
  { name: 'a repeated label', text: 'm{a="1",a="2"} 1', want: /line 1: label a repeated/ },
  { name: 'an unknown escape', text: 'm{a="\\t"} 1', want: /line 1: label a: invalid escape \\t/ },
  { name: 'a missing comma', text: 'm{a="1" b="2"} 1', want: /line 1: label a: want , or }/ },
  { name: 'a name that starts with a digit', text: '9m 1', want: /line 1: invalid metric name/ },
  { name: 'an unclosed brace', text: 'm{a="1" 1', want: /line 1: label a: want , or }/ },
];
for (const c of bad) {
  test(`refuses ${c.name}, naming the line`, () => {
    assert.throws(() => parsePrometheusText(c.text), c.want);
  });
}
