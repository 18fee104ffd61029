/**
 * @module One probe of one container, run on its period (the kubelet's prober worker): waits out
 * initialDelaySeconds, runs only after the startup probe succeeded (the startup probe only
 * before), and changes its result only after successThreshold / failureThreshold consecutive
 * results. A failed liveness or startup probe puts the worker on hold: the container is restarted.
 */
import type { Obj } from '../../client/client.js';
import type { Prober, ProbeTarget, ProbeType } from './prober.js';

export type Result = 'success' | 'failure' | 'unknown';

/** The result before any probe ran: not ready, alive, not started. */
const initial: Record<ProbeType, Result> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

export interface WorkerHost {
  prober: Prober;
  now(): number;
  secondMs: number;
  /** Whether the container's startup probe (if any) has succeeded. */
  started(): boolean;
  /** Called when the worker's result changes. */
  changed(type: ProbeType, result: Result): void;
}

export class ProbeWorker {
  result: Result;
  private lastResult: Result = 'unknown';
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = 0;

  constructor(readonly type: ProbeType, private readonly spec: Obj, private target: ProbeTarget & { startedAtMs: number },
    private readonly host: WorkerHost) {
    this.result = initial[type];
  }

  private get periodMs(): number { return (this.spec.periodSeconds || 10) * this.host.secondMs; }

  /** Picks up a newer pod object (deletion, IP) without restarting the schedule. */
  update(target: ProbeTarget & { startedAtMs: number }): void {
    this.target = target;
  }

  start(): void {
    this.schedule(0);
  }

  /** Probes now (unless one is running), as the kubelet's manual trigger does. */
  trigger(): void {
    if (!this.running) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    // Probes never keep the process alive.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.running = true;
    this.lastStart = Date.now();
    let next = this.periodMs;
    try {
      next = await this.doProbe();
    } finally {
      this.running = false;
    }
    this.schedule(Math.min(next, this.lastStart + this.periodMs - Date.now()));
  }

  /** One round; returns how soon (ms) to come back at the latest. */
  private async doProbe(): Promise<number> {
    const { spec, host, target } = this;
    if (this.onHold || this.stopped) return this.periodMs;
    // A pod being deleted is not restarted for liveness: end quietly, as the kubelet does.
    if (target.pod.metadata?.deletionTimestamp && this.type !== 'readiness') {
      this.set('success');
      this.stop();
      return this.periodMs;
    }
    const delayMs = (spec.initialDelaySeconds ?? 0) * host.secondMs;
    const sinceStart = host.now() - target.startedAtMs;
    // Whole seconds, as the kubelet compares them.
    if (Math.floor(sinceStart / host.secondMs) < (spec.initialDelaySeconds ?? 0)) return delayMs - sinceStart;
    const started = host.started();
    if (this.type === 'startup' ? started : !started) return this.periodMs;

    const outcome = await host.prober.probe(this.type, spec, target);
    if (this.stopped || outcome.result === 'error') return this.periodMs;
    const result: Result = outcome.result === 'failure' ? 'failure' : 'success';
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'failure' && this.resultRun < (spec.failureThreshold || 3)) || (result === 'success' && this.resultRun < (spec.successThreshold || 1))) {
      return this.periodMs;
    }
    this.set(result);
    if (result === 'failure' && this.type !== 'readiness') {
      // The container is about to be killed; probe again only a new container (a new worker).
      this.onHold = true;
      this.resultRun = 0;
    }
    return this.periodMs;
  }

  private set(result: Result): void {
    if (this.result === result) return;
    this.result = result;
    this.host.changed(this.type, result);
  }
}
