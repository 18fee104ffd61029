/**
 * @module The ingress-nginx annotations tugboat honours, read once per Ingress with ingress-nginx's
 * defaults and its handling of bad values (an unparsable value keeps the default, as nginx's
 * annotation parsers do): canary-*, rewrite-target, use-regex, ssl-redirect, proxy-body-size,
 * proxy-read-timeout, backend-protocol.
 */
import type { Obj } from '../../client/client.js';
import type { Backend } from '../types.js';

export const Prefix = 'nginx.ingress.kubernetes.io/';
const DefaultBodyBytes = 1024 * 1024;
const DefaultReadTimeoutMs = 60_000;

export interface IngressAnnotations {
  canary: boolean;
  canaryWeight: number;
  canaryWeightTotal: number;
  canaryHeader?: string;
  canaryHeaderValue?: string;
  canaryCookie?: string;
  rewriteTarget?: string;
  /** ImplementationSpecific paths are regular expressions (use-regex, or implied by rewrite-target). */
  regex: boolean;
  /** ssl-redirect: undefined = default (on for TLS hosts). */
  sslRedirect?: boolean;
  maxBodyBytes: number;
  readTimeoutMs: number;
  protocol: Backend['protocol'];
}

export function readAnnotations(ing: Obj): IngressAnnotations {
  const a: Record<string, string> = ing.metadata?.annotations ?? {};
  const get = (k: string): string | undefined => a[Prefix + k]?.trim() || undefined;
  const rewriteTarget = get('rewrite-target');
  const header = get('canary-by-header');
  return {
    canary: get('canary') === 'true',
    canaryWeight: nonNegativeInt(get('canary-weight')) ?? 0,
    canaryWeightTotal: positiveInt(get('canary-weight-total')) ?? 100,
    canaryHeader: header,
    // The value only means something with a header to look at.
    canaryHeaderValue: header ? get('canary-by-header-value') : undefined,
    canaryCookie: get('canary-by-cookie'),
    rewriteTarget,
    regex: get('use-regex') === 'true' || rewriteTarget !== undefined,
    sslRedirect: bool(get('ssl-redirect')),
    maxBodyBytes: nginxSize(get('proxy-body-size')) ?? DefaultBodyBytes,
    readTimeoutMs: (nonNegativeInt(get('proxy-read-timeout')) ?? DefaultReadTimeoutMs / 1000) * 1000,
    protocol: protocol(get('backend-protocol')),
  };
}

/** nginx's size syntax ("8m", "512k", "1g", "1024", "0" = unlimited); undefined when it is not one. */
export function nginxSize(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d+)([kKmMgG]?)$/.exec(v);
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

function protocol(v: string | undefined): Backend['protocol'] {
  const p = v?.toUpperCase();
  return p === 'HTTPS' || p === 'GRPC' ? p : 'HTTP';
}

const bool = (v: string | undefined) => (v === 'true' ? true : v === 'false' ? false : undefined);
const nonNegativeInt = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
const positiveInt = (v: string | undefined) => { const n = nonNegativeInt(v); return n ? n : undefined; };
