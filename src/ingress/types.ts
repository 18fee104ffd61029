/**
 * @module The contract between the ingress route table (built from Ingresses, Services,
 * EndpointSlices and TLS Secrets: src/ingress/routes) and the ingress proxy that serves it
 * (src/ingress/proxy). The table is immutable: a change builds a new one and the proxy swaps it
 * in, so a request always sees one consistent version.
 */

/** Where a backend's requests go: the Service's ready endpoints, resolved to the target port. */
export interface Backend {
  namespace: string;
  service: string;
  /** The Ingress's service port (number or name), for logs and metrics. */
  port: number | string;
  /** Ready endpoints (serving-but-terminating ones only when none is ready); empty → 503. */
  endpoints: { ip: string; port: number }[];
  /** ingress-nginx's backend-protocol: GRPC means HTTP/2 without TLS (h2c) to the endpoint. */
  protocol: 'HTTP' | 'HTTPS' | 'GRPC';
}

/** An ingress-nginx canary attached to a route: header, then cookie, then weight decide. */
export interface Canary {
  ingress: { namespace: string; name: string };
  backend: Backend;
  /** canary-weight out of weightTotal (canary-weight-total, default 100); 0 = never by weight. */
  weight: number;
  weightTotal: number;
  /** canary-by-header: value "always" → canary, "never" → main; with headerValue only that value → canary. */
  header?: string;
  headerValue?: string;
  /** canary-by-cookie: cookie value "always" → canary, "never" → main. */
  cookie?: string;
}

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface Route {
  ingress: { namespace: string; name: string };
  /** Exact host, "*.example.com" wildcard, or "" for any host. */
  host: string;
  path: string;
  pathType: PathType;
  /** undefined when the Service or its port does not exist (→ 503, with an event on the Ingress). */
  backend?: Backend;
  canary?: Canary;
  /** rewrite-target, with $1… referring to the path's regex groups (ImplementationSpecific paths). */
  rewriteTarget?: string;
  /** Redirect plain HTTP to HTTPS (308): on for hosts with TLS unless ssl-redirect is "false". */
  sslRedirect: boolean;
  /** proxy-body-size in bytes; 0 = unlimited (ingress-nginx's default is 1m). */
  maxBodyBytes: number;
  /** proxy-read-timeout in ms (default 60 s). */
  readTimeoutMs: number;
}

export interface TLSCertificate {
  /** The hosts the Ingress's tls entry names (exact or wildcard). */
  hosts: string[];
  certPem: string;
  keyPem: string;
  secret: { namespace: string; name: string };
}

export interface RouteTable {
  /** Bumped on every rebuild (logs, tests). */
  readonly version: number;
  /**
   * The route for a request by the Ingress spec's precedence: exact host before wildcard before
   * any host; within a host, Exact before Prefix, longer paths first; undefined when nothing
   * matches and there is no defaultBackend (→ 404).
   */
  match(host: string, path: string): Route | undefined;
  /** The certificate for an SNI server name (exact name first, then a wildcard), or undefined (→ the default certificate). */
  certificate(serverName: string): TLSCertificate | undefined;
}
