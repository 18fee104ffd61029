/**
 * @module The node agent's probe manager: liveness, readiness and startup probes for each running
 * container, each on its own timer, with the kubelet's semantics (thresholds, initial delay,
 * startup gating). The pod worker asks it whether a container is ready or started, and whether
 * liveness failed (then it kills the container and removes it here); `onChange` tells it when
 * to look.
 */
import type { Obj } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { RuntimeService } from '../cri/types.js';
import { Prober, type ProbeType } from './prober.js';
import { ProbeWorker, type Result } from './worker.js';

export interface ProbeManagerOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  /** Unhealthy / ProbeWarning events about the pod. */
  recorder?: EventRecorder;
  /** Called with the pod's uid whenever a probe result of one of its containers flips. */
  onChange: (podUID: string) => void;
  /** Clock for initial delays (ms since the epoch, as startedAtMs). */
  now?: () => number;
  /** Length of one probe "second" in ms: 1000, shortened by tests to run thresholds quickly. */
  secondMs?: number;
}

export interface ProbedContainer {
  pod: Obj;
  container: Obj;
  containerId: string;
  podIP: string;
  /** When the container started (ms since the epoch), for initialDelaySeconds. */
  startedAtMs: number;
}

interface Entry {
  podUID: string;
  name: string;
  workers: Partial<Record<ProbeType, ProbeWorker>>;
  livenessFailure?: string;
}

const SPEC_FIELD: Record<ProbeType, string> = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' };

export class ProbeManager {
  private readonly entries = new Map<string, Entry>();
  private readonly prober: Prober;
  private readonly now: () => number;
  private readonly secondMs: number;

  constructor(private readonly o: ProbeManagerOptions) {
    this.now = o.now ?? Date.now;
    this.secondMs = o.secondMs ?? 1000;
    this.prober = new Prober({ runtime: o.runtime, recorder: o.recorder, secondMs: this.secondMs });
  }

  /**
   * Starts the container's probes. Idempotent per containerId: a repeat only refreshes the pod
   * object and pod IP the probes use (so a deletion or a new IP is seen), never the schedule.
   */
  addContainer(t: ProbedContainer): void {
    const existing = this.entries.get(t.containerId);
    if (existing) {
      for (const w of Object.values(existing.workers)) w.update(t);
      return;
    }
    const entry: Entry = { podUID: t.pod.metadata?.uid ?? '', name: t.container.name, workers: {} };
    this.entries.set(t.containerId, entry);
    for (const type of ['startup', 'liveness', 'readiness'] as ProbeType[]) {
      const spec = t.container[SPEC_FIELD[type]];
      if (!spec) continue;
      entry.workers[type] = new ProbeWorker(type, spec, t, {
        prober: this.prober,
        now: this.now,
        secondMs: this.secondMs,
        started: () => this.isStarted(t.containerId),
        changed: (ty, result) => this.changed(t.containerId, ty, result),
      });
    }
    for (const w of Object.values(entry.workers)) w.start();
  }

  private changed(containerId: string, type: ProbeType, result: Result): void {
    const entry = this.entries.get(containerId);
    if (!entry) return;
    if (result === 'failure' && type !== 'readiness') {
      entry.livenessFailure = `Container ${entry.name} failed ${type} probe, will be restarted`;
    }
    // Readiness need not wait a whole period once the container has started.
    if (type === 'startup' && result === 'success') entry.workers.readiness?.trigger();
    this.o.onChange(entry.podUID);
  }

  /** Stops the container's probes and forgets its results. */
  removeContainer(containerId: string): void {
    const entry = this.entries.get(containerId);
    if (!entry) return;
    for (const w of Object.values(entry.workers)) w.stop();
    this.entries.delete(containerId);
  }

  removePod(podUID: string): void {
    for (const [id, e] of [...this.entries]) if (e.podUID === podUID) this.removeContainer(id);
  }

  /**
   * Started, and its readiness probe (if any) succeeded. A container never added (or removed)
   * has no probes here and counts as ready: check that it runs first.
   */
  isReady(containerId: string): boolean {
    if (!this.isStarted(containerId)) return false;
    const w = this.entries.get(containerId)?.workers.readiness;
    return !w || w.result === 'success';
  }

  /** True without a startup probe, else once it succeeded. */
  isStarted(containerId: string): boolean {
    const w = this.entries.get(containerId)?.workers.startup;
    return !w || w.result === 'success';
  }

  /**
   * Set once liveness (or startup) failed failureThreshold times in a row: the kubelet's message
   * for killing it, "Container x failed liveness probe, will be restarted".
   */
  livenessFailure(containerId: string): string | undefined {
    return this.entries.get(containerId)?.livenessFailure;
  }

  /** Stops every probe; nothing runs or fires after this. */
  stop(): void {
    for (const id of [...this.entries.keys()]) this.removeContainer(id);
  }
}
