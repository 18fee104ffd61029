/**
 * @module TLS certificates from kubernetes.io/tls Secrets, checked as ingress-nginx checks them
 * before use: a PEM certificate, a PEM key, and the key belonging to the certificate. A
 * certificate whose names do not cover a host is still served (nginx does too), with a warning.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Obj } from '../../client/client.js';

export type ParsedSecret = { ok: true; certPem: string; keyPem: string; cert: X509Certificate } | { ok: false; reason: string };

/** Parses and checks a Secret (undefined when it does not exist). */
export function parseTLSSecret(secret: Obj | undefined): ParsedSecret {
  if (!secret) return { ok: false, reason: 'not found' };
  if (secret.type !== 'kubernetes.io/tls') return { ok: false, reason: `has type "${secret.type ?? 'Opaque'}", not kubernetes.io/tls` };
  const certPem = decode(secret.data?.['tls.crt']);
  const keyPem = decode(secret.data?.['tls.key']);
  if (!certPem || !keyPem) return { ok: false, reason: 'has no tls.crt or no tls.key' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    return { ok: false, reason: `has no valid certificate in tls.crt: ${(e as Error).message}` };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return { ok: false, reason: 'has a tls.key that does not match its certificate' };
  } catch (e) {
    return { ok: false, reason: `has no valid private key in tls.key: ${(e as Error).message}` };
  }
  return { ok: true, certPem, keyPem, cert };
}

/** Whether the certificate names the host ("*.example.com" is checked as one name under it). */
export function certificateCovers(cert: X509Certificate, host: string): boolean {
  const name = host.startsWith('*.') ? `wildcard-check${host.slice(1)}` : host;
  return cert.checkHost(name) !== undefined;
}

const decode = (b64: unknown) => (typeof b64 === 'string' && b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined);
