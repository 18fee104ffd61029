/**
 * @module The endpoints.kubernetes.io/last-change-trigger-time annotation, as upstream's
 * TriggerTimeTracker computes it for the Endpoints and EndpointSlice controllers.
 */
import type { Obj } from '../../client/client.js';
import { podReadyCondition } from './pods.js';

/** v1.EndpointsLastChangeTriggerTime. */
export const LastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

interface State { podTimes: Map<string, number>; serviceTime: number | undefined }

/**
 * Remembers, per service, the trigger times (pods' Ready transitions, the service's creation)
 * seen at the last sync. Not safe for concurrent calls for one service key (the work queue
 * never runs one key twice at once).
 */
export class TriggerTimeTracker {
  private states = new Map<string, State>();

  /**
   * The time to export for this sync: the service's creation for a service seen for the first
   * time, else the earliest trigger time that changed since the last sync, else undefined
   * (the annotation is then removed).
   */
  compute(service: Obj, pods: Obj[]): number | undefined {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const prev = this.states.get(key);
    let min: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === undefined) continue;
      podTimes.set(pod.metadata.name, t);
      if (t > (prev?.podTimes.get(pod.metadata.name) ?? -Infinity)) min = Math.min(min ?? t, t);
    }
    const serviceTime = parseTime(service.metadata.creationTimestamp);
    if (serviceTime !== undefined && serviceTime > (prev?.serviceTime ?? -Infinity)) min = Math.min(min ?? serviceTime, serviceTime);
    this.states.set(key, { podTimes, serviceTime });
    return prev ? min : serviceTime;
  }

  /** Forgets a deleted service. */
  deleteService(namespace: string, name: string): void { this.states.delete(`${namespace}/${name}`); }
}

function podTriggerTime(pod: Obj): number | undefined {
  return parseTime(podReadyCondition(pod)?.lastTransitionTime);
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d+)Z$/, (_, f: string) => {
    const trimmed = f.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

/** Sets the annotation to `time`, or removes it when there is none (upstream's addTriggerTimeAnnotation). */
export function setTriggerTimeAnnotation(obj: Obj, time: number | undefined): void {
  const annotations = (obj.metadata.annotations ??= {});
  if (time !== undefined) annotations[LastChangeTriggerTimeAnnotation] = rfc3339Nano(time);
  else delete annotations[LastChangeTriggerTimeAnnotation];
  if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
}
