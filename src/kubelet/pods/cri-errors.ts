/**
 * @module How the kubelet words a failed CRI call: the full gRPC error ("rpc error: code = Unknown
 * desc = …") where it shows err.Error() (ErrImagePull), the description alone where it shows
 * status.Message() (CreateContainerError, RunContainerError).
 */
import { CRIError } from '../cri/types.js';

const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal',
  'Unavailable', 'DataLoss', 'Unauthenticated'];

/** err.Error() of a gRPC status error, or the message of any other error. */
export function rpcErrorString(e: unknown): string {
  if (e instanceof CRIError) return `rpc error: code = ${codeNames[e.code] ?? `Code(${e.code})`} desc = ${e.details}`;
  return (e as Error)?.message ?? String(e);
}

/** status.Message(): the description of a CRI error, or the message of any other error. */
export function rpcMessage(e: unknown): string {
  return e instanceof CRIError ? e.details : (e as Error)?.message ?? String(e);
}

/** Whether a CRI call failed because the object is gone (NotFound), which clean-up treats as done. */
export { isNotFound as isCRINotFound } from '../cri/errors.js';
