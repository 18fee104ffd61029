/**
 * @module Writes responses: JSON (or YAML when asked), Status errors, and what the client's
 * Accept header asks for (a meta.k8s.io Table for kubectl get).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYAML } from 'yaml';
import { StatusError, newInternalError, type Status } from '../../apimachinery/errors.js';

export type Representation = 'object' | 'table';

/** What the client accepts: a Table (kubectl get) or the object itself, as JSON or YAML. */
export interface Negotiated { as: Representation; yaml: boolean }

export function negotiate(req: IncomingMessage): Negotiated {
  const accept = String(req.headers.accept ?? '');
  // kubectl get: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
  const wantsTable = accept.split(',').some((a) => /;\s*as=Table/.test(a) && /g=meta\.k8s\.io/.test(a));
  const first = accept.split(',')[0]?.split(';')[0].trim() ?? '';
  return { as: wantsTable ? 'table' : 'object', yaml: first === 'application/yaml' };
}

export function writeJSON(res: ServerResponse, code: number, body: unknown, yaml = false): void {
  const text = yaml ? toYAML(body) : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': yaml ? 'application/yaml' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Writes pre-serialized JSON bytes (documents built once and served many times). */
export function writeRaw(res: ServerResponse, code: number, body: string | Buffer, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function writeStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (status.details?.retryAfterSeconds) headers['Retry-After'] = String(status.details.retryAfterSeconds);
  const text = JSON.stringify(status);
  res.writeHead(status.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** Any thrown value becomes a Status: StatusErrors as they are, everything else a logged 500. */
export function toStatus(err: unknown, log?: (err: unknown) => void): Status {
  if (err instanceof StatusError) return err.status;
  log?.(err);
  return newInternalError(err).status;
}
