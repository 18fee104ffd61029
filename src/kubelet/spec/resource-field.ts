/**
 * @module Downward API resourceFieldRef values (limits/requests of cpu, memory, ephemeral-storage,
 * with a divisor, rounded up), as pkg/api/v1/resource.ExtractContainerResourceValue. A container
 * without a limit sees the node's allocatable, as the kubelet's defaultPodLimitsForDownwardAPI gives it.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Obj } from '../../client/client.js';
import { isZero, milliValue, parseQuantity, value, type Quantity } from '../../apimachinery/quantity/index.js';

/** The node's allocatable quantities (node.status.allocatable): cpu, memory, ephemeral-storage. */
export type NodeAllocatable = Record<string, string>;

/** What this machine offers when the caller does not say: all its cores and memory. */
export const machineAllocatable = (): NodeAllocatable => ({ cpu: String(availableParallelism()), memory: String(totalmem()) });

const DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'];

/** The container's limits with missing cpu/memory/ephemeral-storage limits set to the node's allocatable. */
function limitsWithDefaults(container: Obj, allocatable: NodeAllocatable): Record<string, string> {
  const limits: Record<string, string> = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED) if (limits[r] === undefined && allocatable[r] !== undefined) limits[r] = allocatable[r];
  return limits;
}

const q = (v: string | undefined): Quantity => parseQuantity(v === undefined ? '0' : String(v));

/** Throws Error for an unsupported resource or a bad quantity. */
export function containerResourceValue(fieldRef: Obj, container: Obj, allocatable: NodeAllocatable): string {
  const divisorText = fieldRef.divisor === undefined ? '0' : String(fieldRef.divisor);
  const divisor = isZero(q(divisorText)) ? q('1') : q(divisorText);
  const resource = String(fieldRef.resource ?? '');
  const dot = resource.indexOf('.');
  const [kind, name] = [resource.slice(0, dot), resource.slice(dot + 1)];
  if ((kind !== 'limits' && kind !== 'requests') || !DEFAULTED.includes(name)) {
    throw new Error(`unsupported container resource : ${resource}`);
  }
  const amounts = kind === 'limits' ? limitsWithDefaults(container, allocatable) : container.resources?.requests ?? {};
  const amount = q(amounts[name]);
  // CPU divides in millicores, memory and storage in units; both round up, as upstream's math.Ceil.
  const n = name === 'cpu' ? milliValue(amount) / milliValue(divisor) : value(amount) / value(divisor);
  return String(Math.ceil(n));
}

/** resource.ExtractResourceValueByContainerName: the named container of the pod (for volumes). */
export function podResourceValue(fieldRef: Obj, pod: Obj, allocatable: NodeAllocatable): string {
  const name = fieldRef.containerName;
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const container = all.find((c: Obj) => c.name === name);
  if (!container) throw new Error(`container ${name} not found`);
  return containerResourceValue(fieldRef, container, allocatable);
}
