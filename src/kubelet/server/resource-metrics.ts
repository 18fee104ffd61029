/**
 * @module GET /metrics/resource: the kubelet's resource metrics in the Prometheus text format, which
 * metrics-server (here: the API server's metrics.k8s.io) scrapes. The node's figures come from the
 * host (/proc/stat busy time, /proc/meminfo MemTotal − MemAvailable as the working set), the
 * containers' from CRI ListContainerStats of running containers; a pod's are its containers' sums.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Labels, type RuntimeService } from '../cri/types.js';

/** Cumulative CPU core-seconds and working set of one running container, as of `timestampMs`. */
export interface ContainerSample {
  namespace: string;
  pod: string;
  container: string;
  cpuSeconds: number;
  memoryBytes: number;
  timestampMs: number;
  /** When the runtime created the container (the kubelet's container_start_time_seconds), in seconds. */
  startTimeSeconds: number;
}

export interface NodeSample { cpuSeconds: number; memoryBytes: number; timestampMs: number }

export interface ResourceMetrics {
  /** Absent when the host's figures could not be read. */
  node?: NodeSample;
  containers: ContainerSample[];
  /** The runtime's stats could not be read (resource_scrape_error 1); the node's figures still are. */
  scrapeError: boolean;
}

/** Linux fixes the unit of /proc/stat (USER_HZ) at 1/100 s for user space. */
const USER_HZ = 100;

/** Busy core-seconds since boot from /proc/stat's "cpu" line: everything but idle and iowait. */
export function nodeCpuSeconds(procStat: string): number {
  const line = procStat.split('\n').find((l) => /^cpu\s/.test(l));
  const ticks = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (ticks.length < 4 || ticks.some((n) => !Number.isFinite(n))) throw new Error('/proc/stat has no valid "cpu" line');
  // user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
  const [user, nice, system, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/** MemTotal − MemAvailable from /proc/meminfo, in bytes: the kubelet's node working set, approximately. */
export function nodeMemoryWorkingSet(meminfo: string): number {
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
    if (!m) throw new Error(`/proc/meminfo has no ${field}`);
    return Number(m[1]);
  };
  return (kb('MemTotal') - kb('MemAvailable')) * 1024;
}

/** Reads the node's and the running containers' figures. Never throws: failures show as missing figures. */
export async function collectResourceMetrics(runtime: Pick<RuntimeService, 'listContainers' | 'listContainerStats'>,
  o: { procDir?: string; now?: () => number } = {}): Promise<ResourceMetrics> {
  const procDir = o.procDir ?? '/proc';
  const now = o.now ?? Date.now;
  const containers = containerSamples(runtime).catch(() => undefined);
  const node = nodeSample(procDir, now);
  const samples = await containers;
  return { node, containers: samples ?? [], scrapeError: samples === undefined };
}

function nodeSample(procDir: string, now: () => number): NodeSample | undefined {
  try {
    // Read at once and stamped at once: the API server divides by the time between two samples,
    // and an async read could be stamped late by a busy event loop.
    const stat = readFileSync(join(procDir, 'stat'), 'utf8');
    const timestampMs = now();
    return { cpuSeconds: nodeCpuSeconds(stat), memoryBytes: nodeMemoryWorkingSet(readFileSync(join(procDir, 'meminfo'), 'utf8')), timestampMs };
  } catch {
    return undefined;
  }
}

async function containerSamples(runtime: Pick<RuntimeService, 'listContainers' | 'listContainerStats'>): Promise<ContainerSample[]> {
  const [running, stats] = await Promise.all([
    runtime.listContainers({ state: { state: 'CONTAINER_RUNNING' } }),
    runtime.listContainerStats(),
  ]);
  const createdAt = new Map(running.map((c) => [c.id, c.createdAt]));
  const out: ContainerSample[] = [];
  for (const s of stats) {
    const created = createdAt.get(s.attributes.id);
    const cpu = s.cpu?.usageCoreNanoSeconds?.value;
    const memory = s.memory?.workingSetBytes?.value;
    const { labels } = s.attributes;
    // Only running containers have a cgroup to read; containers the kubelet did not make carry no pod labels.
    if (created === undefined || cpu === undefined || memory === undefined || !labels[Labels.podName]) continue;
    out.push({
      namespace: labels[Labels.podNamespace] ?? '',
      pod: labels[Labels.podName],
      container: labels[Labels.containerName] ?? s.attributes.metadata.name,
      cpuSeconds: Number(cpu) / 1e9,
      memoryBytes: Number(memory),
      timestampMs: nsToMs(s.cpu!.timestamp),
      startTimeSeconds: Number(BigInt(created || '0') / 1_000_000n) / 1000,
    });
  }
  return out;
}

const nsToMs = (ns: string) => Number(BigInt(ns || '0') / 1_000_000n);

interface Family { name: string; help: string; type: 'counter' | 'gauge'; samples: string[] }

/** The Prometheus text exposition (format 0.0.4) of the figures, with the kubelet's metric names and labels. */
export function formatResourceMetrics(m: ResourceMetrics): string {
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, help, type, samples: [] });
  const containerCpu = fam('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds');
  const containerMemory = fam('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes');
  const containerStart = fam('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds');
  const nodeCpu = fam('node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds');
  const nodeMemory = fam('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes');
  const podCpu = fam('pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds');
  const podMemory = fam('pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes');
  const scrapeError = fam('resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise');

  const pods = new Map<string, { namespace: string; pod: string; cpu: number; memory: number; ts: number }>();
  for (const c of m.containers) {
    const labels = { container: c.container, namespace: c.namespace, pod: c.pod };
    containerCpu.samples.push(sample(containerCpu.name, labels, c.cpuSeconds, c.timestampMs));
    containerMemory.samples.push(sample(containerMemory.name, labels, c.memoryBytes, c.timestampMs));
    containerStart.samples.push(sample(containerStart.name, labels, c.startTimeSeconds, c.timestampMs));
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { namespace: c.namespace, pod: c.pod, cpu: 0, memory: 0, ts: 0 };
    pods.set(key, { ...p, cpu: p.cpu + c.cpuSeconds, memory: p.memory + c.memoryBytes, ts: Math.max(p.ts, c.timestampMs) });
  }
  for (const p of pods.values()) {
    const labels = { namespace: p.namespace, pod: p.pod };
    podCpu.samples.push(sample(podCpu.name, labels, p.cpu, p.ts));
    podMemory.samples.push(sample(podMemory.name, labels, p.memory, p.ts));
  }
  if (m.node) {
    nodeCpu.samples.push(sample(nodeCpu.name, {}, m.node.cpuSeconds, m.node.timestampMs));
    nodeMemory.samples.push(sample(nodeMemory.name, {}, m.node.memoryBytes, m.node.timestampMs));
  }
  scrapeError.samples.push(sample(scrapeError.name, {}, m.scrapeError ? 1 : 0));

  return [containerCpu, containerMemory, containerStart, nodeCpu, nodeMemory, podCpu, podMemory, scrapeError]
    .map((f) => `# HELP ${f.name} [STABLE] ${f.help}\n# TYPE ${f.name} ${f.type}\n${f.samples.map((s) => `${s}\n`).join('')}`)
    .join('');
}

function sample(name: string, labels: Record<string, string>, value: number, timestampMs?: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`))}"`);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${value}${timestampMs !== undefined ? ` ${timestampMs}` : ''}`;
}

export async function serveResourceMetrics(runtime: Pick<RuntimeService, 'listContainers' | 'listContainerStats'>, res: ServerResponse): Promise<void> {
  const body = Buffer.from(formatResourceMetrics(await collectResourceMetrics(runtime)));
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}
