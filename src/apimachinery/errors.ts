/**
 * @module StatusError: the one error type the API returns. Constructors mirror
 * k8s.io/apimachinery/pkg/api/errors so that kubectl prints the lines users know.
 */

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string;
  causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, unknown>;
  status: 'Success' | 'Failure'; message?: string; reason?: string;
  details?: StatusDetails; code: number;
}
export interface GroupResource { group: string; resource: string }
export interface GroupKind { group: string; kind: string }

export class StatusError extends Error {
  constructor(readonly status: Status) { super(status.message); this.name = 'StatusError'; }
  get code() { return this.status.code; }
  get reason() { return this.status.reason ?? ''; }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  // StatusDetails' fields are omitempty upstream: the core group is absent, not "".
  if (details) status.details = details.group === '' ? (({ group: _, ...rest }) => rest)(details) : details;
  return new StatusError(status);
}

/** "pods" or "deployments.apps", as apimachinery's GroupResource.String(). */
export const fmtGR = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
const fmtGK = (gk: GroupKind) => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);

export const newNotFound = (gr: GroupResource, name: string) =>
  failure(404, 'NotFound', `${fmtGR(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });

export const newAlreadyExists = (gr: GroupResource, name: string) =>
  failure(409, 'AlreadyExists', `${fmtGR(gr)} "${name}" already exists`, { name, group: gr.group, kind: gr.resource });

export const newConflict = (gr: GroupResource, name: string, why: string) =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${fmtGR(gr)} "${name}": ${why}`,
    { name, group: gr.group, kind: gr.resource });

/** The stale-resourceVersion conflict, worded as the registry's OptimisticLockErrorMsg. */
export const newOptimisticLockConflict = (gr: GroupResource, name: string) =>
  newConflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');

export interface FieldError { type: FieldErrorType; field: string; value?: unknown; detail?: string }
export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid';

/** The text of a field.Error, as field.Error.Error() prints it. */
export function fieldErrorMessage(e: FieldError): string {
  const value = e.value === undefined ? '' : fmtValue(e.value);
  switch (e.type) {
    case 'FieldValueRequired': return `${e.field}: Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueForbidden': return `${e.field}: Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTooLong': return `${e.field}: Too long${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTooMany': return `${e.field}: Too many${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueDuplicate': return `${e.field}: Duplicate value: ${value}`;
    case 'FieldValueNotSupported': return `${e.field}: Unsupported value: ${value}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueTypeInvalid': return `${e.field}: Invalid value: ${value}${e.detail ? `: ${e.detail}` : ''}`;
    default: return `${e.field}: Invalid value: ${value}${e.detail ? `: ${e.detail}` : ''}`;
  }
}
function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => typeof x === 'string')) {
    // Go's %#v of a map[string]string, with sorted keys, as upstream's field errors print labels.
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify((v as Record<string, string>)[k])}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
/** Field-error message without the leading "field: ", as a StatusCause carries it. */
const causeMessage = (e: FieldError) => fieldErrorMessage(e).slice(e.field.length + 2);

/** 422 Invalid with one cause per field error: `Pod "x" is invalid: spec.containers[0].name: Required value`. */
export function newInvalid(gk: GroupKind, name: string, errs: FieldError[]): StatusError {
  const msgs = errs.map(fieldErrorMessage);
  const joined = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
  return failure(422, 'Invalid', `${fmtGK(gk)} "${name}" is invalid: ${joined}`, {
    name, group: gk.group, kind: gk.kind,
    causes: errs.map((e) => ({ reason: e.type, message: causeMessage(e), field: e.field })),
  });
}

export const newBadRequest = (message: string) => failure(400, 'BadRequest', message);
export const newUnauthorized = (message = 'Unauthorized') => failure(401, 'Unauthorized', message);
export const newForbidden = (gr: GroupResource, name: string, why: string) =>
  failure(403, 'Forbidden', `${fmtGR(gr)}${name ? ` "${name}"` : ''} is forbidden: ${why}`,
    { name, group: gr.group, kind: gr.resource });
export const newMethodNotSupported = (gr: GroupResource, action: string) =>
  failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${fmtGR(gr)}"`,
    { group: gr.group, kind: gr.resource });
export const newGone = (message: string) => failure(410, 'Gone', message);
/** 410 for a watch or list from a compacted revision (apimachinery's NewResourceExpired). */
export const newResourceExpired = (message: string) => failure(410, 'Expired', message);
export const newRequestEntityTooLarge = (message: string) => failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
/** Media types a create or update body may have, in kube-apiserver's order. */
export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
/** Media types a PATCH body may have, in kube-apiserver's order. */
export const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml',
  'application/strategic-merge-patch+json'];
export const newUnsupportedMediaType = (contentType: string, accepted: readonly string[] = OBJECT_MEDIA_TYPES) =>
  failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnsupportedMediaType', message: contentType }] });
export const newNotAcceptable = (message: string) => failure(406, 'NotAcceptable', message);
export const newTooManyRequests = (message: string, retryAfterSeconds = 1) =>
  failure(429, 'TooManyRequests', message, { retryAfterSeconds });
export const newTimeout = (message: string) => failure(504, 'Timeout', message);
export const newInternalError = (err: unknown) =>
  failure(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
    { causes: [{ message: err instanceof Error ? err.message : String(err) }] });
export const newServiceUnavailable = (message: string) => failure(503, 'ServiceUnavailable', message);

export const reasonOf = (e: unknown) => (e instanceof StatusError ? e.reason : '');
export const isNotFound = (e: unknown) => reasonOf(e) === 'NotFound';
export const isAlreadyExists = (e: unknown) => reasonOf(e) === 'AlreadyExists';
export const isConflict = (e: unknown) => reasonOf(e) === 'Conflict';
export const isInvalid = (e: unknown) => reasonOf(e) === 'Invalid';
export const isResourceExpired = (e: unknown) => e instanceof StatusError && e.code === 410;
