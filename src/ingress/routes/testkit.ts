/**
 * @module Test support for the ingress route table and controller (not used by the server):
 * Services with their EndpointSlices, Ingresses and self-signed TLS Secrets, created through a
 * real API client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { ServiceNameLabel } from './sources.js';

export const ingressRef = (ns?: string) => ref('Ingress', ns, 'networking.k8s.io/v1');
export const classRef = () => ref('IngressClass', undefined, 'networking.k8s.io/v1');

/** A Service with one port "http" 80 → 8080 and a slice with the given endpoints (ready unless listed otherwise). */
export async function createService(c: Client, ns: string, name: string,
  endpoints: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean }[] = [{ ip: '10.1.0.1' }]): Promise<void> {
  await c.create(ref('Service', ns), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  await c.create(ref('EndpointSlice', ns, 'discovery.k8s.io/v1'), {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${name}-abc`, namespace: ns, labels: { [ServiceNameLabel]: name } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false } })),
  });
}

export interface PathSpec { path: string; type?: string; service: string; port?: number | string }
export interface IngressSpec {
  rules?: Record<string, PathSpec[]>;
  className?: string;
  annotations?: Record<string, string>;
  defaultBackend?: string;
  tls?: { hosts?: string[]; secretName?: string }[];
}

export async function createIngress(c: Client, ns: string, name: string, s: IngressSpec): Promise<Obj> {
  const backend = (service: string, port: number | string = 80) =>
    ({ service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } });
  return c.create(ingressRef(ns), { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: ns, annotations: s.annotations },
    spec: {
      ingressClassName: s.className,
      defaultBackend: s.defaultBackend ? backend(s.defaultBackend) : undefined,
      tls: s.tls,
      rules: Object.entries(s.rules ?? {}).map(([host, paths]) => ({ host: host || undefined,
        http: { paths: paths.map((p) => ({ path: p.path, pathType: p.type ?? 'Prefix', backend: backend(p.service, p.port) })) } })),
    } });
}

/** A self-signed certificate and key (PEM) naming the given DNS names. */
export function selfSigned(...names: string[]): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tug-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '1', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function createTLSSecret(c: Client, ns: string, name: string, pem: { certPem: string; keyPem: string }): Promise<void> {
  await c.create(ref('Secret', ns), { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: ns },
    data: { 'tls.crt': Buffer.from(pem.certPem).toString('base64'), 'tls.key': Buffer.from(pem.keyPem).toString('base64') } });
}
