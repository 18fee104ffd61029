/**
 * @module Status as the scheduler framework's: a code and reasons; `undefined` is success.
 * Reason texts are kube-scheduler's, since users read them in events and `kubectl describe`.
 */

/**
 * Unschedulable: preemption may help. UnschedulableAndUnresolvable: it cannot (preemption skips
 * the node). Skip: a PreFilter/PreScore plugin has nothing to do; its Filter/Score is not called.
 * Error: an internal failure; the pod goes to backoff and is retried.
 */
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip' | 'Error';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that returned it (set by the framework). */
  plugin?: string;
}

export const newStatus = (code: Code, ...reasons: string[]): Status => ({ code, reasons });
export const unschedulable = (...reasons: string[]): Status => newStatus('Unschedulable', ...reasons);
export const unresolvable = (...reasons: string[]): Status => newStatus('UnschedulableAndUnresolvable', ...reasons);
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

/** Rejected: the pod does not fit (as opposed to success, skip or an internal error). */
export const isRejected = (s: Status | undefined) =>
  s !== undefined && (s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable');

/** Status.Message(): the reasons joined by ", ". */
export const message = (s: Status | undefined) => (s ? s.reasons.join(', ') : '');
