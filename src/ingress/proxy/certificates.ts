/**
 * @module TLS certificates for the ingress proxy: the self-signed default (served when no Ingress
 * TLS entry names the SNI host, as ingress-nginx's "Fake Certificate"), and the SNI callback that
 * asks the current route table on every handshake, so a rotated Secret is served from the next
 * handshake on while open connections keep their session.
 */
import { webcrypto } from 'node:crypto';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { RouteTable } from '../types.js';

x509.cryptoProvider.set(webcrypto as Crypto);

export interface CertificatePem { certPem: string; keyPem: string }

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
/** ingress-nginx's name for its default certificate; clients and docs recognise it. */
export const DEFAULT_CERT_CN = 'Kubernetes Ingress Controller Fake Certificate';

/** A fresh self-signed ECDSA P-256 serving certificate valid for a year; by default the ingress-nginx fake one (SAN ingress.local). */
export async function selfSignedCertificate(o: { commonName?: string; dnsNames?: string[]; now?: Date } = {}): Promise<CertificatePem> {
  const now = o.now ?? new Date();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ O: ['Acme Co'] }, { CN: [o.commonName ?? DEFAULT_CERT_CN] }],
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 365 * DAY_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      new x509.SubjectAlternativeNameExtension((o.dnsNames ?? ['ingress.local']).map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { certPem: cert.toString('pem'), keyPem: key };
}

/**
 * SecureContexts by certificate PEM: building one parses the key and chain, far too slow for
 * every handshake. A rotated Secret has a new PEM, so it gets a new context; the oldest entries
 * go once the cache is full.
 */
export class SecureContextCache {
  private readonly contexts = new Map<string, tls.SecureContext>();
  constructor(private readonly max = 256) {}

  get(c: CertificatePem): tls.SecureContext {
    let ctx = this.contexts.get(c.certPem);
    if (!ctx) {
      ctx = tls.createSecureContext({ cert: c.certPem, key: c.keyPem });
      if (this.contexts.size >= this.max) this.contexts.delete(this.contexts.keys().next().value!);
      this.contexts.set(c.certPem, ctx);
    }
    return ctx;
  }
}

/** The SNICallback: the route table's certificate for the server name, else the default; a broken Secret falls back to the default. */
export function sniCallback(routes: { current(): RouteTable }, cache: SecureContextCache, fallback: tls.SecureContext,
  onError: (err: unknown, serverName: string) => void): (serverName: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void {
  return (serverName, cb) => {
    let ctx = fallback;
    try {
      const c = routes.current().certificate(serverName.toLowerCase());
      if (c) ctx = cache.get(c);
    } catch (err) {
      onError(err, serverName);
    }
    cb(null, ctx);
  };
}
