/**
 * @module Status errors the PATCH handler returns that errors.ts has no constructor for, shaped as
 * kube-apiserver builds them (NewGenericServerResponse, a plain Go error, the CR media-type list).
 */
import { StatusError, type Status } from '../errors.js';

const status = (code: number, message: string, extra: Partial<Status> = {}): StatusError =>
  new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, message, ...extra });

/** 422 as NewGenericServerResponse words it: the patch was well-formed but does not apply. */
export const newUnprocessable = (serverMessage: string) =>
  status(422, 'the server rejected our request due to an error in our request', {
    reason: 'Invalid',
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }] },
  });

/** A Go error that is not a StatusError: upstream answers 500 with no reason and the bare text. */
export const newUnknownError = (message: string) => status(500, message);

/** Custom resources have no Go types, so upstream offers them no strategic merge patch. */
export const CUSTOM_RESOURCE_PATCH_TYPES = [
  'application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml',
];
export const newUnsupportedPatchType = (accepted: string[]) =>
  status(415, `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { reason: 'UnsupportedMediaType' });
