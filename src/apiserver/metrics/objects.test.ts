/** @module Tests of the metrics.k8s.io objects: quantities, durations, NodeMetrics/PodMetrics shapes and the Table. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cpuQuantity, goDuration, memoryQuantity, metricsList, metricsTable, nodeMetrics, podMetrics, totalUsage } from './objects.js';

describe('quantities and durations as metrics-server prints them', () => {
  const cpu: [number, string][] = [[123456, '123456n'], [202980799, '202980799n'], [250_000_000, '250m'], [2e9, '2'], [0, '0'], [1500.7, '1500n']];
  for (const [n, want] of cpu) test(`${n} nanocores is ${want}`, () => assert.equal(cpuQuantity(n), want));

  const memory: [number, string][] = [[225280, '220Ki'], [1048576, '1Mi'], [1000, '1k'], [1001, '1001'], [1536, '1536'], [779681792, '761408Ki'], [0, '0']];
  for (const [n, want] of memory) test(`${n} bytes is ${want}`, () => assert.equal(memoryQuantity(n), want));

  const durations: [number, string][] = [[0, '0s'], [500, '500ms'], [1000, '1s'], [10_020, '10.02s'], [10_003, '10.003s'], [65_000, '1m5s'],
    [60_000, '1m0s'], [3_600_000, '1h0m0s'], [3_723_500, '1h2m3.5s'], [-1500, '-1.5s']];
  for (const [ms, want] of durations) test(`${ms} ms is ${want}`, () => assert.equal(goDuration(ms), want));
});

describe('objects', () => {
  const now = new Date('2025-01-01T00:00:10.500Z');
  const node = { metadata: { name: 'n1', uid: 'u', resourceVersion: '5', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: {}, status: {} };
  const pod = { metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' }, annotations: { a: 'b' } }, spec: {} };
  const ts = Date.parse('2025-01-01T00:00:09.999Z');

  test('NodeMetrics: name, labels and now as creationTimestamp; timestamp, window and usage', () => {
    assert.deepEqual(nodeMetrics(node, { usage: { cpuNanoCores: 123456789, memoryBytes: 225280 }, timestampMs: ts, windowMs: 10_012 }, now), {
      kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'n1', creationTimestamp: '2025-01-01T00:00:10Z', labels: { 'kubernetes.io/hostname': 'n1' } },
      timestamp: '2025-01-01T00:00:09Z', window: '10.012s', usage: { cpu: '123456789n', memory: '220Ki' },
    });
  });

  test('PodMetrics: namespace and labels, one usage per container; lists have no resourceVersion', () => {
    const u = { timestampMs: ts, windowMs: 10_000, containers: [
      { name: 'app', usage: { cpuNanoCores: 200_000_000, memoryBytes: 4096 } },
      { name: 'side', usage: { cpuNanoCores: 1_000_000, memoryBytes: 1024 } },
    ] };
    const obj = podMetrics(pod, u, now);
    assert.deepEqual(obj, {
      kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'ns', creationTimestamp: '2025-01-01T00:00:10Z', labels: { app: 'web' } },
      timestamp: '2025-01-01T00:00:09Z', window: '10s',
      containers: [{ name: 'app', usage: { cpu: '200m', memory: '4Ki' } }, { name: 'side', usage: { cpu: '1m', memory: '1Ki' } }],
    });
    assert.deepEqual(totalUsage(u), { cpuNanoCores: 201_000_000, memoryBytes: 5120 });
    assert.deepEqual(metricsList('PodMetrics', [obj]), { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: [obj] });
  });

  test('the Table has metrics-server\'s columns and a pod\'s summed usage; row objects follow includeObject', () => {
    const obj = podMetrics(pod, { timestampMs: ts, windowMs: 10_000, containers: [] }, now);
    const table = metricsTable([{ obj, usage: { cpuNanoCores: 201_000_000, memoryBytes: 5120 } }], 'Metadata');
    assert.deepEqual(table.columnDefinitions.map((c) => [c.name, c.format]), [['Name', 'name'], ['cpu', 'quantity'], ['memory', 'quantity'], ['Window', 'duration']]);
    assert.deepEqual(table.rows, [{ cells: ['web', '201m', '5Ki', '10s'],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata } }]);
    assert.equal(metricsTable([{ obj, usage: totalUsage({ timestampMs: 0, windowMs: 0, containers: [] }) }], 'None').rows[0].object, null);
    assert.equal(metricsTable([{ obj, usage: { cpuNanoCores: 0, memoryBytes: 0 } }], 'Object').rows[0].object, obj);
  });
});
