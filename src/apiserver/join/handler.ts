/**
 * @module The join endpoints of the API server, as k3s serves them: GET /cacerts (anonymous, the
 * cluster CA a joining agent checks against its token's hash) and POST /v1-tugboat/node-credentials
 * (the join secret as bearer token), which checks the node password and returns the node's client
 * certificate (system:node:NAME in system:nodes), its kubelet serving certificate and the cluster's
 * network settings.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newBadRequest, newInvalid, newUnauthorized, type FieldError } from '../../apimachinery/errors.js';
import { isDNS1123Subdomain, isValidIP } from '../../apimachinery/validation/names.js';
import { ensureKubeletServingCert, issueClientCert, type CertKeyPair } from '../auth/pki.js';
import { readBody } from '../http/body.js';
import { writeJSON, writeRaw } from '../http/respond.js';
import { LocalClient } from '../local-client.js';
import type { StorageRegistry } from '../registry/registry.js';
import { ensureNodePassword } from './node-password.js';

export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/v1-tugboat/node-credentials';

/** The network settings every node of the cluster shares. */
export interface ClusterConfig { clusterCIDR: string; serviceCIDR: string; clusterDomain: string }

export interface JoinOptions {
  /** The join secret (the token's part after `user:`); agents send it as a bearer token. */
  secret: string;
  /** The cluster CA, which signs the nodes' certificates. */
  ca: CertKeyPair;
  /** Where joined nodes' serving certificates are kept, reused across rejoins until an address changes. */
  certDir: string;
  cluster: ClusterConfig;
}

export interface JoinRequest { nodeName: string; nodeIP: string; password: string }
export interface NodeCredentials { ca: string; client: CertKeyPair; serving: CertKeyPair; cluster: ClusterConfig }

/**
 * Answers the request when it is one of the join endpoints and returns true; returns false for
 * any other path. Throws StatusErrors (401 bad secret, 400 bad body, 422 bad fields, 403 node
 * password) for the server's error writer.
 */
export async function serveJoin(o: JoinOptions, registry: StorageRegistry, req: IncomingMessage, res: ServerResponse,
  path: string): Promise<boolean> {
  if (path === CACERTS_PATH && req.method === 'GET') {
    writeRaw(res, 200, o.ca.cert, 'text/plain; charset=utf-8');
    return true;
  }
  if (path !== NODE_CREDENTIALS_PATH || req.method !== 'POST') return false;
  if (!secretMatches(req.headers.authorization, o.secret)) throw newUnauthorized();
  const body = parseJoinRequest(await readBody(req));
  await ensureNodePassword(new LocalClient(registry, 'tugboat-join'), body.nodeName, body.password);
  await mkdir(o.certDir, { recursive: true, mode: 0o700 });
  const creds: NodeCredentials = {
    ca: o.ca.cert,
    client: await issueClientCert({ ca: o.ca }, { commonName: `system:node:${body.nodeName}`, organizations: ['system:nodes'] }),
    serving: await ensureKubeletServingCert({ dir: o.certDir, ca: o.ca }, { nodeName: body.nodeName, addresses: [body.nodeIP] }),
    cluster: o.cluster,
  };
  writeJSON(res, 200, creds);
  return true;
}

/** Compares digests, so the time taken tells nothing about the secret or its length. */
function secretMatches(header: string | undefined, secret: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(secret));
}

function parseJoinRequest(raw: Buffer): JoinRequest {
  let body: any;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw newBadRequest(`the join request is not JSON: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null) throw newBadRequest('the join request must be a JSON object');
  const errs: FieldError[] = [];
  const field = (name: keyof JoinRequest, check: (v: string) => string[] = () => []): string => {
    const v = body[name];
    if (v === undefined || v === '') errs.push({ type: 'FieldValueRequired', field: name });
    else if (typeof v !== 'string') errs.push({ type: 'FieldValueTypeInvalid', field: name, value: v, detail: 'must be a string' });
    else for (const detail of check(v)) errs.push({ type: 'FieldValueInvalid', field: name, value: v, detail });
    return typeof v === 'string' ? v : '';
  };
  const nodeName = field('nodeName', isDNS1123Subdomain);
  const nodeIP = field('nodeIP', isValidIP);
  const password = field('password');
  if (errs.length) throw newInvalid({ group: '', kind: 'Node' }, nodeName, errs);
  return { nodeName, nodeIP, password };
}
