/** @module Tests of the agent's /metrics/resource: host figures from /proc, CRI stats of running containers, the text format. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeRuntime } from '../cri/fake.js';
import { Labels, type PodSandboxConfig } from '../cri/types.js';
import { collectResourceMetrics, formatResourceMetrics, nodeCpuSeconds, nodeMemoryWorkingSet } from './resource-metrics.js';
import { parseRoute } from './routes.js';

const procStat = 'cpu  1000 20 300 5000 70 4 6 0 0 0\ncpu0 500 10 150 2500 35 2 3 0 0 0\nintr 1 2 3\n';
const meminfo = 'MemTotal:       24683620 kB\nMemFree:        20000000 kB\nMemAvailable:   23922232 kB\n';

test('the route is /metrics/resource exactly', () => {
  assert.deepEqual(parseRoute('/metrics/resource'), { kind: 'resourceMetrics' });
  for (const p of ['/metrics', '/metrics/resource/x', '/metrics/cadvisor']) assert.equal(parseRoute(p), undefined, p);
});

describe('host figures', () => {
  test('node CPU is the busy ticks of the "cpu" line in seconds: user, nice, system, irq, softirq, steal', () => {
    assert.equal(nodeCpuSeconds(procStat), (1000 + 20 + 300 + 4 + 6) / 100);
  });

  test('node memory working set is MemTotal − MemAvailable in bytes', () => {
    assert.equal(nodeMemoryWorkingSet(meminfo), (24683620 - 23922232) * 1024);
  });

  test('malformed /proc files are refused with the file named', () => {
    assert.throws(() => nodeCpuSeconds('intr 1 2\n'), /\/proc\/stat has no valid "cpu" line/);
    assert.throws(() => nodeCpuSeconds('cpu  1 x 3 4\n'), /\/proc\/stat/);
    assert.throws(() => nodeMemoryWorkingSet('MemTotal: 10 kB\n'), /\/proc\/meminfo has no MemAvailable/);
  });
});

describe('collectResourceMetrics and formatResourceMetrics', () => {
  let procDir: string;
  let runtime: FakeRuntime;
  const t0 = Date.UTC(2025, 0, 1);

  const sandbox = (name: string): PodSandboxConfig => ({
    metadata: { name, uid: `uid-${name}`, namespace: 'ns' },
    labels: { [Labels.podName]: name, [Labels.podNamespace]: 'ns', [Labels.podUID]: `uid-${name}` },
  });
  const start = async (sb: string, cfg: PodSandboxConfig, name: string) => {
    const id = await runtime.createContainer(sb, { metadata: { name }, image: { image: 'busybox' }, labels: { ...cfg.labels, [Labels.containerName]: name } }, cfg);
    await runtime.startContainer(id);
    return id;
  };

  before(async () => {
    procDir = await mkdtemp(join(tmpdir(), 'tug-resource-metrics-'));
    await writeFile(join(procDir, 'stat'), procStat);
    await writeFile(join(procDir, 'meminfo'), meminfo);
    runtime = new FakeRuntime({ now: () => t0, writeLogs: false, images: ['busybox'] });
    const web = sandbox('web');
    const webId = await runtime.runPodSandbox(web);
    runtime.setUsage(await start(webId, web, 'app'), { cpuCoreNanoSeconds: 1_500_000_000, memoryWorkingSetBytes: 4096 });
    runtime.setUsage(await start(webId, web, 'side'), { cpuCoreNanoSeconds: 250_000_000, memoryWorkingSetBytes: 8192 });
    const done = await start(webId, web, 'done');
    runtime.exit(done, 0);
  });
  after(() => rm(procDir, { recursive: true, force: true }));

  test('running containers are reported with their pod labels, CRI timestamp and creation time; exited ones are not', async () => {
    const m = await collectResourceMetrics(runtime, { procDir, now: () => t0 + 5 });
    assert.equal(m.scrapeError, false);
    assert.deepEqual(m.node, { cpuSeconds: 13.3, memoryBytes: (24683620 - 23922232) * 1024, timestampMs: t0 + 5 });
    const byName = Object.fromEntries(m.containers.map((c) => [c.container, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['app', 'side']);
    assert.equal(byName.app.cpuSeconds, 1.5);
    assert.equal(byName.app.memoryBytes, 4096);
    assert.equal(byName.app.namespace, 'ns');
    assert.equal(byName.app.pod, 'web');
    assert.ok(Math.abs(byName.app.timestampMs - t0) < 1000, `timestamp ${byName.app.timestampMs}`);
    assert.ok(Math.abs(byName.app.startTimeSeconds - t0 / 1000) < 1, `start ${byName.app.startTimeSeconds}`);
  });

  test('a failing runtime sets resource_scrape_error and keeps the node figures; a missing /proc drops them', async () => {
    const broken = { listContainers: () => Promise.reject(new Error('down')), listContainerStats: () => Promise.resolve([]) };
    const m = await collectResourceMetrics(broken, { procDir });
    assert.equal(m.scrapeError, true);
    assert.deepEqual(m.containers, []);
    assert.ok(m.node);
    const noProc = await collectResourceMetrics(runtime, { procDir: join(procDir, 'absent') });
    assert.equal(noProc.node, undefined);
    assert.equal(noProc.containers.length, 2);
  });

  test('the text has the kubelet\'s families, labels and millisecond timestamps; pods sum their containers', () => {
    const text = formatResourceMetrics({
      node: { cpuSeconds: 13.3, memoryBytes: 779681792, timestampMs: 1700000000123 },
      containers: [
        { namespace: 'ns', pod: 'web', container: 'app', cpuSeconds: 1.5, memoryBytes: 4096, timestampMs: 1700000000100, startTimeSeconds: 1699999000.5 },
        { namespace: 'ns', pod: 'web', container: 'side', cpuSeconds: 0.25, memoryBytes: 8192, timestampMs: 1700000000110, startTimeSeconds: 1699999001 },
      ],
      scrapeError: false,
    });
    assert.equal(text, [
      '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
      '# TYPE container_cpu_usage_seconds_total counter',
      'container_cpu_usage_seconds_total{container="app",namespace="ns",pod="web"} 1.5 1700000000100',
      'container_cpu_usage_seconds_total{container="side",namespace="ns",pod="web"} 0.25 1700000000110',
      '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
      '# TYPE container_memory_working_set_bytes gauge',
      'container_memory_working_set_bytes{container="app",namespace="ns",pod="web"} 4096 1700000000100',
      'container_memory_working_set_bytes{container="side",namespace="ns",pod="web"} 8192 1700000000110',
      '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
      '# TYPE container_start_time_seconds gauge',
      'container_start_time_seconds{container="app",namespace="ns",pod="web"} 1699999000.5 1700000000100',
      'container_start_time_seconds{container="side",namespace="ns",pod="web"} 1699999001 1700000000110',
      '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
      '# TYPE node_cpu_usage_seconds_total counter',
      'node_cpu_usage_seconds_total 13.3 1700000000123',
      '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
      '# TYPE node_memory_working_set_bytes gauge',
      'node_memory_working_set_bytes 779681792 1700000000123',
      '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
      '# TYPE pod_cpu_usage_seconds_total counter',
      'pod_cpu_usage_seconds_total{namespace="ns",pod="web"} 1.75 1700000000110',
      '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
      '# TYPE pod_memory_working_set_bytes gauge',
      'pod_memory_working_set_bytes{namespace="ns",pod="web"} 12288 1700000000110',
      '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
      '# TYPE resource_scrape_error gauge',
      'resource_scrape_error 0',
      '',
    ].join('\n'));
  });

  test('label values are escaped as the text format requires', () => {
    const text = formatResourceMetrics({ containers: [{ namespace: 'a"b', pod: 'c\\d', container: 'e\nf', cpuSeconds: 0, memoryBytes: 0, timestampMs: 1, startTimeSeconds: 0 }], scrapeError: true });
    assert.match(text, /^container_cpu_usage_seconds_total\{container="e\\nf",namespace="a\\"b",pod="c\\\\d"\} 0 1$/m);
    assert.match(text, /^resource_scrape_error 1$/m);
    assert.doesNotMatch(text, /^node_/m);
  });
});
