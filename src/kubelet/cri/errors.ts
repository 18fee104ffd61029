/**
 * @module The gRPC status codes a CRI runtime answers with, named, and predicates over `CRIError`,
 * so callers (and the fake, which must fail the way containerd does) share one spelling.
 */
import { CRIError, type ContainerConfig, type PodSandboxConfig } from './types.js';

export const Code = {
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

/** The runtime does not know the sandbox, container or image named in the call. */
export const isNotFound = (e: unknown): boolean => e instanceof CRIError && e.code === Code.NotFound;

/** The call ran out of time: the client's deadline, or ExecSync's own timeout in the runtime. */
export const isDeadlineExceeded = (e: unknown): boolean => e instanceof CRIError && e.code === Code.DeadlineExceeded;

/** The runtime could not be reached (not started, socket gone, restarting). */
export const isUnavailable = (e: unknown): boolean => e instanceof CRIError && e.code === Code.Unavailable;

/** Refuses a timeout that is not a whole number of seconds >= 0 (the CRI's int64 seconds). */
export function checkSeconds(method: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new CRIError(method, Code.InvalidArgument, `timeout must be a whole number of seconds >= 0, got ${seconds}`);
  }
}

/**
 * Refuses configs without metadata before they reach the runtime: containerd 1.6 answers a
 * CreateContainer whose sandbox config lacks metadata with a nil-pointer panic that kills it.
 */
export function checkMetadata(method: string, o: { config?: ContainerConfig; sandboxConfig?: PodSandboxConfig }): void {
  if ('config' in o && !o.config?.metadata) throw new CRIError(method, Code.InvalidArgument, 'container config must include metadata');
  if (!o.sandboxConfig?.metadata) throw new CRIError(method, Code.InvalidArgument, 'sandbox config must include metadata');
}
