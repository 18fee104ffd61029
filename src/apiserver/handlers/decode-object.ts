/**
 * @module Turns a request body into an object of the handler's kind: apiVersion/kind checks and
 * strict field validation, with the messages kube-apiserver's decoder gives.
 */
import { apiVersionOf, type ResourceType } from '../../api/scheme.js';
import { cannotBeHandledMessage, unknownFields } from '../../api/openapi/field-validation.js';
import { newBadRequest } from '../../apimachinery/errors.js';
import { decodeBody, readBody } from '../http/body.js';
import type { Obj } from '../registry/object-meta.js';
import type { RequestContext } from './context.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw newBadRequest(`fieldValidation parameter unsupported: ${v}. Supported values are: Strict, Warn, Ignore`);
  }
  return v;
}

/** Reads the body and checks it is an object of the expected group/version/kind. */
export async function decodeObject(ctx: RequestContext, expect: { apiVersion: string; kind: string } = { apiVersion: apiVersionOf(ctx.t), kind: ctx.t.kind }): Promise<Obj> {
  const raw = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  // kube-apiserver's decoder defaults a missing kind (and apiVersion) to the endpoint's
  // (gvkWithDefaults): client-node's typed create/replace calls send bodies without them.
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !(raw as Obj).kind) (raw as Obj).kind = expect.kind;
  return checkObject(ctx, raw, expect);
}

export function checkObject(ctx: RequestContext, raw: unknown, expect: { apiVersion: string; kind: string }): Obj {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw newBadRequest(`${expect.kind} in version "${versionOf(expect.apiVersion)}" cannot be handled as a ${expect.kind}: the body is not a JSON object`);
  }
  const obj = raw as Obj;
  if (obj.kind === undefined || obj.kind === '') throw newBadRequest(`Object 'Kind' is missing in '${JSON.stringify(obj).slice(0, 200)}'`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expect.apiVersion) {
    throw newBadRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expect.apiVersion})`);
  }
  if (obj.kind !== expect.kind) {
    throw newBadRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${expect.kind})`);
  }
  obj.apiVersion = expect.apiVersion;
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw newBadRequest(`${expect.kind} in version "${versionOf(expect.apiVersion)}" cannot be handled as a ${expect.kind}: metadata must be an object`);
  }
  enforceFieldValidation(ctx, obj, expect);
  return obj;
}

/** Strict: unknown fields are a 400 naming them; Warn: a Warning header each; Ignore: dropped silently. */
export function enforceFieldValidation(ctx: RequestContext, obj: Obj, expect: { apiVersion: string; kind: string }): void {
  const mode = fieldValidation(ctx.query);
  if (mode === 'Ignore') return;
  const unknown = unknownFields(expect.apiVersion, expect.kind, obj);
  if (unknown.length === 0) return;
  if (mode === 'Strict') throw newBadRequest(cannotBeHandledMessage(expect.kind, versionOf(expect.apiVersion), unknown));
  ctx.res.setHeader('Warning', unknown.map((f) => `299 - "unknown field \\"${f}\\""`));
}

const versionOf = (apiVersion: string) => apiVersion.split('/').pop()!;
