/**
 * @module Builds a RouteTable from our Ingresses and the caches of Services, EndpointSlices and
 * Secrets, with the problems an Ingress should hear about (missing service or port, bad TLS secret,
 * a rule lost to an older Ingress). Pure: the node agents' route watchers and the ingress status
 * controller share it, so both agree on what wins. Ingresses are taken oldest first (then by
 * namespace/name): the older one keeps a contested host+path and the defaultBackend, as
 * ingress-nginx's admission and merge do.
 */
import type { Obj } from '../../client/client.js';
import type { Backend, Route, RouteTable, TLSCertificate } from '../types.js';
import { readAnnotations, type IngressAnnotations } from './annotations.js';
import { resolveBackend, type ServiceSource } from './backend.js';
import { HostRoutes, IndexedRouteTable, wildcardOf } from './table.js';
import { certificateCovers, parseTLSSecret, type ParsedSecret } from './tls.js';

export const ReasonServiceNotFound = 'ServiceNotFound';
export const ReasonPortNotFound = 'PortNotFound';
export const ReasonTLSSecretInvalid = 'TLSSecretInvalid';
export const ReasonTLSHostMismatch = 'TLSHostMismatch';
export const ReasonRuleConflict = 'RuleConflict';
export const ReasonInvalidPath = 'InvalidPath';

export interface Problem { ingress: { namespace: string; name: string }; reason: string; message: string }

export interface BuildInput extends ServiceSource {
  /** Only the Ingresses of our class. */
  ingresses: Obj[];
  secret(namespace: string, name: string): Obj | undefined;
}

export interface BuildResult {
  table: RouteTable;
  problems: Problem[];
  /** "Service ns/name" and "Secret ns/name" the table depends on: changes to others need no rebuild. */
  refs: Set<string>;
}

export function buildRouteTable(input: BuildInput, version: number): BuildResult {
  const ingresses = [...input.ingresses].sort(olderFirst);
  const annotations = new Map(ingresses.map((i) => [i, readAnnotations(i)]));
  const problems: Problem[] = [];
  const refs = new Set<string>();
  const backends = new Map<string, ReturnType<typeof resolveBackend>>();
  const resolve = (ing: Obj, ref: Obj, protocol: Backend['protocol']): Backend | undefined => {
    const ns: string = ing.metadata.namespace;
    refs.add(`Service ${ns}/${ref.name}`);
    const key = `${ns}/${ref.name}/${ref.port?.number ?? ref.port?.name}/${protocol}`;
    let r = backends.get(key);
    if (!r) backends.set(key, (r = resolveBackend(input, ns, ref, protocol)));
    if ('problem' in r) problems.push({ ingress: idOf(ing), ...r.problem });
    return 'backend' in r ? r.backend : undefined;
  };

  const { certs, tlsHosts } = certificates(ingresses.filter((i) => !annotations.get(i)!.canary), input, refs, problems);
  const hasTLS = (host: string) => tlsHosts.has(host) || (!host.startsWith('*.') && tlsHosts.has(wildcardOf(host)));

  const hosts = new Map<string, HostRoutes>();
  /** host + pathType + path (Prefix without trailing slashes) → the ingress holding it. */
  const claims = new Map<string, Obj>();
  /** host + path → the route a canary attaches to. */
  const mains = new Map<string, Route>();
  let defaultRoute: Route | undefined;
  const canaries: Obj[] = [];
  for (const ing of ingresses) {
    const ann = annotations.get(ing)!;
    if (ann.canary) { canaries.push(ing); continue; }
    const common = { ingress: idOf(ing), maxBodyBytes: ann.maxBodyBytes, readTimeoutMs: ann.readTimeoutMs, rewriteTarget: ann.rewriteTarget };
    const def = ing.spec?.defaultBackend?.service;
    if (def && !defaultRoute) {
      defaultRoute = { ...common, host: '', path: '/', pathType: 'Prefix', sslRedirect: false, backend: resolve(ing, def, ann.protocol) };
    }
    for (const rule of ing.spec?.rules ?? []) {
      const host = ((rule.host as string | undefined) ?? '').toLowerCase();
      for (const p of rule.http?.paths ?? []) {
        const path: string = p.path || '/';
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const claim = `${host} ${pathType} ${pathType === 'Prefix' ? path.replace(/\/+$/, '') : path}`;
        const holder = claims.get(claim);
        if (holder) {
          if (holder !== ing) {
            problems.push({ ingress: idOf(ing), reason: ReasonRuleConflict,
              message: `path ${path} (${pathType}) of host "${host || '*'}" is already served by older Ingress ${keyOfIng(holder)}` });
          }
          continue;
        }
        const route: Route = { ...common, host, path, pathType, sslRedirect: hasTLS(host) && ann.sslRedirect !== false,
          backend: p.backend?.service ? resolve(ing, p.backend.service, ann.protocol) : undefined };
        let routes = hosts.get(host);
        if (!routes) hosts.set(host, (routes = new HostRoutes()));
        try {
          routes.add(route, ann.regex);
        } catch (e) {
          problems.push({ ingress: idOf(ing), reason: ReasonInvalidPath, message: `path ${path} is not a valid regular expression: ${(e as Error).message}` });
          continue;
        }
        claims.set(claim, ing);
        if (!mains.has(`${host} ${path}`)) mains.set(`${host} ${path}`, route);
      }
    }
  }
  attachCanaries(canaries, annotations, mains, resolve);
  for (const r of hosts.values()) r.seal();
  return { table: new IndexedRouteTable(version, hosts, defaultRoute, certs), problems, refs };
}

/** ingress-nginx canaries: a canary Ingress adds no routes; each of its paths joins the main route of the same host and path. */
function attachCanaries(canaries: Obj[], annotations: Map<Obj, IngressAnnotations>, mains: Map<string, Route>, resolve: (ing: Obj, ref: Obj, p: Backend['protocol']) => Backend | undefined) {
  for (const ing of canaries) {
    const ann = annotations.get(ing)!;
    for (const rule of ing.spec?.rules ?? []) {
      const host = ((rule.host as string | undefined) ?? '').toLowerCase();
      for (const p of rule.http?.paths ?? []) {
        const main = mains.get(`${host} ${p.path || '/'}`);
        if (!main || main.canary || !p.backend?.service) continue;
        const backend = resolve(ing, p.backend.service, ann.protocol);
        if (!backend) continue;
        main.canary = { ingress: idOf(ing), backend, weight: Math.min(ann.canaryWeight, ann.canaryWeightTotal), weightTotal: ann.canaryWeightTotal,
          header: ann.canaryHeader, headerValue: ann.canaryHeaderValue, cookie: ann.canaryCookie };
      }
    }
  }
}

/** Certificates by tls host (the oldest Ingress naming a host wins it) and every host some tls entry names. */
function certificates(ingresses: Obj[], input: BuildInput, refs: Set<string>, problems: Problem[]) {
  const certs = new Map<string, TLSCertificate>();
  const tlsHosts = new Set<string>();
  const parsed = new Map<string, ParsedSecret>();
  for (const ing of ingresses) {
    const ns: string = ing.metadata.namespace;
    const ruleHosts = (ing.spec?.rules ?? []).map((r: Obj) => r.host).filter(Boolean);
    for (const tls of ing.spec?.tls ?? []) {
      // An entry without hosts covers the Ingress's own rule hosts (ingress-nginx).
      const hosts: string[] = (tls.hosts?.length ? tls.hosts : ruleHosts).map((h: string) => h.toLowerCase());
      for (const h of hosts) tlsHosts.add(h);
      if (!tls.secretName) continue;
      const key = `${ns}/${tls.secretName}`;
      refs.add(`Secret ${key}`);
      let secret = parsed.get(key);
      if (!secret) parsed.set(key, (secret = parseTLSSecret(input.secret(ns, tls.secretName))));
      if (!secret.ok) {
        problems.push({ ingress: idOf(ing), reason: ReasonTLSSecretInvalid, message: `TLS secret "${key}" ${secret.reason}: the default certificate is served for ${hosts.join(', ')}` });
        continue;
      }
      const cert: TLSCertificate = { hosts, certPem: secret.certPem, keyPem: secret.keyPem, secret: { namespace: ns, name: tls.secretName } };
      for (const h of hosts) {
        if (!certificateCovers(secret.cert, h)) {
          problems.push({ ingress: idOf(ing), reason: ReasonTLSHostMismatch, message: `the certificate in TLS secret "${key}" is not valid for host "${h}"` });
        }
        if (!certs.has(h)) certs.set(h, cert);
      }
    }
  }
  return { certs, tlsHosts };
}

const idOf = (ing: Obj) => ({ namespace: ing.metadata.namespace as string, name: ing.metadata.name as string });
const keyOfIng = (ing: Obj) => `${ing.metadata.namespace}/${ing.metadata.name}`;
function olderFirst(a: Obj, b: Obj): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOfIng(a);
  const kb = keyOfIng(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
