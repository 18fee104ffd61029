/** @module Tests of decoding a kubelet scrape and of the usage computed from the last two points, as metrics-server does. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBatch, type MetricsPoint, type NodeBatch } from './batch.js';
import { parsePrometheusText } from './prometheus-text.js';
import { MetricsStorage, resourceUsage } from './storage.js';

const T = 1_700_000_000_000;

describe('decodeBatch', () => {
  test('the node point and each container with CPU and memory; start times in ms; pods keyed by namespace/name', () => {
    const text = [
      'container_cpu_usage_seconds_total{container="app",namespace="ns",pod="web"} 1.5 1700000000100',
      'container_memory_working_set_bytes{container="app",namespace="ns",pod="web"} 4096 1700000000100',
      'container_start_time_seconds{container="app",namespace="ns",pod="web"} 1699999000.5 1700000000100',
      'container_cpu_usage_seconds_total{container="nomem",namespace="ns",pod="web"} 1 1700000000100',
      'container_memory_working_set_bytes{container="x",namespace="ns"} 1 1700000000100',
      'container_cpu_usage_seconds_total{container="bad",namespace="ns",pod="web"} NaN 1700000000100',
      'container_memory_working_set_bytes{container="bad",namespace="ns",pod="web"} 1 1700000000100',
      'node_cpu_usage_seconds_total 13.3 1700000000123',
      'node_memory_working_set_bytes 779681792 1700000000123',
      'pod_cpu_usage_seconds_total{namespace="ns",pod="web"} 1.5 1700000000100',
    ].join('\n');
    const b = decodeBatch(parsePrometheusText(text), 0);
    assert.deepEqual(b.node, { cpuSeconds: 13.3, memoryBytes: 779681792, timestampMs: 1700000000123 });
    assert.deepEqual([...b.pods.keys()], ['ns/web']);
    assert.deepEqual([...b.pods.get('ns/web')!], [['app', { cpuSeconds: 1.5, timestampMs: 1700000000100, memoryBytes: 4096, startTimeMs: 1699999000500 }]]);
  });

  test('samples without timestamps count as read when the answer came; a node without memory has no point', () => {
    const b = decodeBatch(parsePrometheusText('node_cpu_usage_seconds_total 1\ncontainer_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 2\n'
      + 'container_memory_working_set_bytes{container="c",namespace="n",pod="p"} 3\n'), 42);
    assert.equal(b.node, undefined);
    assert.deepEqual(b.pods.get('n/p')!.get('c'), { cpuSeconds: 2, timestampMs: 42, memoryBytes: 3 });
  });
});

const point = (timestampMs: number, cpuSeconds: number, memoryBytes = 1024, startTimeMs?: number): MetricsPoint =>
  ({ timestampMs, cpuSeconds, memoryBytes, ...(startTimeMs !== undefined ? { startTimeMs } : {}) });

describe('resourceUsage', () => {
  test('CPU is the rate between the points in nanocores; memory the later working set; the window their distance', () => {
    assert.deepEqual(resourceUsage(point(T + 10_000, 12.5, 8192), point(T, 10)),
      { usage: { cpuNanoCores: 250_000_000, memoryBytes: 8192 }, timestampMs: T + 10_000, windowMs: 10_000 });
  });

  test('no usage from a counter that went down or points not in order', () => {
    assert.equal(resourceUsage(point(T + 10_000, 1), point(T, 2)), undefined);
    assert.equal(resourceUsage(point(T, 2), point(T, 1)), undefined);
    assert.equal(resourceUsage(point(T, 2), point(T + 1, 1)), undefined);
  });
});

const batch = (node: MetricsPoint | undefined, pods: Record<string, Record<string, MetricsPoint>> = {}): NodeBatch =>
  ({ node, pods: new Map(Object.entries(pods).map(([k, cs]) => [k, new Map(Object.entries(cs))])) });
const cycle = (batches: Record<string, NodeBatch>) => new Map(Object.entries(batches));

describe('MetricsStorage', () => {
  test('a node has usage from its second scrape on, over the last two points', () => {
    const s = new MetricsStorage();
    s.store(cycle({ n1: batch(point(T, 100)) }));
    assert.equal(s.node('n1'), undefined);
    s.store(cycle({ n1: batch(point(T + 10_000, 105, 2048)) }));
    assert.deepEqual(s.node('n1'), { usage: { cpuNanoCores: 500_000_000, memoryBytes: 2048 }, timestampMs: T + 10_000, windowMs: 10_000 });
    s.store(cycle({ n1: batch(point(T + 20_000, 106)) }));
    assert.equal(s.node('n1')!.usage.cpuNanoCores, 100_000_000);
  });

  test('a point not newer than the stored one keeps the stored previous point', () => {
    const s = new MetricsStorage();
    s.store(cycle({ n1: batch(point(T, 100)) }));
    s.store(cycle({ n1: batch(point(T + 10_000, 110)) }));
    s.store(cycle({ n1: batch(point(T + 10_000, 110)) }));
    assert.deepEqual(s.node('n1')?.windowMs, 10_000);
  });

  test('a node missing from a cycle (its scrape failed) is dropped with its pods', () => {
    const s = new MetricsStorage();
    const pods = (t: number, cpu: number) => ({ 'ns/web': { app: point(t, cpu, 1024, T - 60_000) } });
    s.store(cycle({ n1: batch(point(T, 1), pods(T, 1)) }));
    s.store(cycle({ n1: batch(point(T + 10_000, 2), pods(T + 10_000, 2)) }));
    assert.ok(s.node('n1') && s.pod('ns', 'web'));
    s.store(cycle({}));
    assert.equal(s.node('n1'), undefined);
    assert.equal(s.pod('ns', 'web'), undefined);
  });

  test('a pod has usage when every container has two points; containers sorted by name; the earliest time wins', () => {
    const s = new MetricsStorage();
    const old = T - 3_600_000;
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { side: point(T + 1, 1, 100, old), app: point(T, 10, 200, old) } }) }));
    assert.equal(s.pod('ns', 'web'), undefined);
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { side: point(T + 10_001, 1.5, 300, old), app: point(T + 10_000, 12, 400, old) } }) }));
    assert.deepEqual(s.pod('ns', 'web'), {
      timestampMs: T + 10_000, windowMs: 10_000,
      containers: [
        { name: 'app', usage: { cpuNanoCores: 200_000_000, memoryBytes: 400 } },
        { name: 'side', usage: { cpuNanoCores: 50_000_000, memoryBytes: 300 } },
      ],
    });
    assert.equal(s.pod('ns', 'other'), undefined);
  });

  test('a container that appeared without a previous point leaves its pod out until the next scrape', () => {
    const s = new MetricsStorage();
    const old = T - 3_600_000;
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { app: point(T, 1, 1, old) } }) }));
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { app: point(T + 10_000, 2, 1, old), late: point(T + 10_000, 5, 1, old) } }) }));
    assert.equal(s.pod('ns', 'web'), undefined);
  });

  test('a new container has no usage from one scrape, however long it has run', () => {
    const s = new MetricsStorage();
    s.store(cycle({ n1: batch(undefined, { 'ns/new': { app: point(T + 4_000, 1, 512, T) } }) }));
    assert.equal(s.pod('ns', 'new'), undefined);
  });

  test('a container that restarted after the stored point does not take a rate across the restart', () => {
    const s = new MetricsStorage();
    const old = T - 3_600_000;
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { app: point(T, 50, 1, old) } }) }));
    // Restarted at T + 20 s, seen at T + 40 s.
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { app: point(T + 40_000, 60, 1, T + 20_000) } }) }));
    assert.equal(s.pod('ns', 'web'), undefined);
    s.store(cycle({ n1: batch(undefined, { 'ns/web': { app: point(T + 50_000, 61, 1, T + 20_000) } }) }));
    assert.equal(s.pod('ns', 'web')?.containers[0].usage.cpuNanoCores, 100_000_000);
  });
});
