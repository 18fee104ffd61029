/**
 * @module NodeMetrics and PodMetrics objects and their Table, shaped exactly as metrics-server
 * serves them: CPU in nanocores and memory in bytes as canonical quantities ("123456n", "12345Ki"),
 * RFC 3339 timestamps and the window as a Go duration ("10.012s").
 */
import { quantityString, type Quantity } from '../../apimachinery/quantity/index.js';
import type { IncludeObject, Table } from '../../api/tables/index.js';
import type { Obj } from '../registry/object-meta.js';
import type { NodeUsage, PodUsage, Usage } from './storage.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_API_VERSION = `${METRICS_GROUP}/v1beta1`;

/** resource.NewScaledQuantity(n, Nano) printed canonically: 250000000n is "250m". */
export const cpuQuantity = (nanoCores: number) =>
  quantityString({ unscaled: BigInt(Math.max(0, Math.floor(nanoCores))), scale: -9, format: 'DecimalSI' } satisfies Quantity);

/** A BinarySI quantity of bytes: "12345Ki" for whole KiB, plain bytes otherwise. */
export const memoryQuantity = (bytes: number) =>
  quantityString({ unscaled: BigInt(Math.max(0, Math.round(bytes))), scale: 0, format: 'BinarySI' } satisfies Quantity);

/** Go's time.Duration.String() for whole milliseconds: "500ms", "10.02s", "1m5s", "1h0m0s". */
export function goDuration(ms: number): string {
  let n = Math.round(ms);
  if (n === 0) return '0s';
  const sign = n < 0 ? '-' : '';
  n = Math.abs(n);
  if (n < 1000) return `${sign}${n}ms`;
  const hours = Math.floor(n / 3_600_000);
  const minutes = Math.floor(n / 60_000) % 60;
  const rest = n % 60_000;
  const fraction = rest % 1000 ? `.${String(rest % 1000).padStart(3, '0').replace(/0+$/, '')}` : '';
  const seconds = `${Math.floor(rest / 1000)}${fraction}s`;
  return sign + (hours ? `${hours}h${minutes}m` : minutes ? `${minutes}m` : '') + seconds;
}

/** metav1.Time: RFC 3339 in whole seconds. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const usageOf = (u: Usage) => ({ cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) });

/** Metadata as metrics-server writes it: the object's name (and namespace) and labels, created now. */
function metadataOf(o: Obj, now: Date): Record<string, unknown> {
  const { name, namespace, labels } = o.metadata ?? {};
  return { name, ...(namespace ? { namespace } : {}), creationTimestamp: rfc3339(now.getTime()), ...(labels ? { labels } : {}) };
}

export function nodeMetrics(node: Obj, u: NodeUsage, now: Date): Obj {
  return { kind: 'NodeMetrics', apiVersion: METRICS_API_VERSION, metadata: metadataOf(node, now),
    timestamp: rfc3339(u.timestampMs), window: goDuration(u.windowMs), usage: usageOf(u.usage) };
}

export function podMetrics(pod: Obj, u: PodUsage, now: Date): Obj {
  return { kind: 'PodMetrics', apiVersion: METRICS_API_VERSION, metadata: metadataOf(pod, now),
    timestamp: rfc3339(u.timestampMs), window: goDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usageOf(c.usage) })) };
}

export const metricsList = (kind: 'NodeMetrics' | 'PodMetrics', items: Obj[]) =>
  ({ kind: `${kind}List`, apiVersion: METRICS_API_VERSION, metadata: {}, items });

/** What a row of the Table shows: the object and its usage (a pod's is its containers' sum). */
export interface MetricsRow { obj: Obj; usage: Usage }

export const totalUsage = (u: NodeUsage | PodUsage): Usage => ('usage' in u ? u.usage : u.containers.reduce(
  (sum, c) => ({ cpuNanoCores: sum.cpuNanoCores + c.usage.cpuNanoCores, memoryBytes: sum.memoryBytes + c.usage.memoryBytes }),
  { cpuNanoCores: 0, memoryBytes: 0 }));

/** metrics-server's Table: Name, cpu, memory, Window. */
export function metricsTable(rows: MetricsRow[], include: IncludeObject): Table {
  const col = (name: string, format: string, description = '') => ({ name, type: 'string', format, description, priority: 0 });
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {},
    columnDefinitions: [col('Name', 'name', 'Name of the resource'), col('cpu', 'quantity'), col('memory', 'quantity'), col('Window', 'duration')],
    rows: rows.map(({ obj, usage }) => ({
      cells: [obj.metadata.name, cpuQuantity(usage.cpuNanoCores), memoryQuantity(usage.memoryBytes), obj.window],
      object: include === 'Object' ? obj : include === 'None' ? null
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
    })),
  };
}
