/**
 * @module Reads and decodes request bodies: a size limit (3 MiB, as kube-apiserver), JSON, YAML or
 * Kubernetes protobuf by Content-Type, and the 400/413/415 Status errors upstream returns for bad bodies.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYAML } from 'yaml';
import { newBadRequest, newRequestEntityTooLarge, newUnsupportedMediaType } from '../../apimachinery/errors.js';
import { decodeProtobuf, isProtobufContentType } from '../../apimachinery/protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** How much of an oversized body is read and thrown away so the client sees the 413, not a reset. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    await discard(req);
    throw newRequestEntityTooLarge('limit is 3145728');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early must not destroy the request: the rest is discarded below.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) break;
    chunks.push(chunk as Buffer);
  }
  if (size > limit) {
    await discard(req);
    throw newRequestEntityTooLarge('limit is 3145728');
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the rest of a refused body so that a client still sending it gets the answer rather than
 * a broken pipe; past MAX_DISCARD_BYTES the connection is cut (no unbounded uploads).
 */
async function discard(req: IncomingMessage): Promise<void> {
  let seen = 0;
  for await (const chunk of req) {
    seen += (chunk as Buffer).length;
    if (seen > MAX_DISCARD_BYTES) {
      req.socket.destroy();
      return;
    }
  }
}

/** The media type without parameters, lower-cased ("application/json"). */
export const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

const yamlTypes = new Set(['application/yaml', 'application/apply-patch+yaml', 'application/x-yaml', 'text/yaml']);
const jsonTypes = new Set(['application/json', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', '']);

/** Decodes a body as JSON, YAML or Kubernetes protobuf by its Content-Type; anything else is 415. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  // kubectl's typed commands (create configmap/deployment/namespace, drain, …) send protobuf.
  if (isProtobufContentType(type)) return decodeProtobuf(body);
  const text = body.toString('utf8');
  if (yamlTypes.has(type)) {
    try {
      return parseYAML(text, { maxAliasCount: 100 });
    } catch (e) {
      throw newBadRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (!jsonTypes.has(type)) throw newUnsupportedMediaType(type);
  if (text.trim() === '') throw newBadRequest('Object \'Kind\' is missing in \'\'');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw newBadRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}
