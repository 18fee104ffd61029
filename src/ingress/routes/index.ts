/**
 * @module The node agent's ingress route table: watches Ingresses, IngressClasses, Services,
 * EndpointSlices and Secrets and rebuilds an immutable RouteTable (debounced) whenever something
 * the table depends on changes; the proxy reads current() per request. Problems are logged here;
 * the ingress controller in the controller manager turns them into Events.
 */
import type { Logger } from 'pino';
import type { Client, Obj } from '../../client/client.js';
import { InformerFactory, type Informer } from '../../client/informer.js';
import type { RouteTable } from '../types.js';
import { buildRouteTable } from './build.js';
import { DefaultClassName } from './ingress-class.js';
import { buildInput, routeSources, sliceService } from './sources.js';
import { emptyTable } from './table.js';

export { buildRouteTable, type BuildInput, type Problem } from './build.js';
export { ControllerName, DefaultClassName, DefaultClassAnnotation } from './ingress-class.js';

export interface IngressRoutesOptions {
  client: Client;
  log: Logger;
  /** default 'tugboat' */
  ingressClass?: string;
  /** rebuild debounce, default 50 ms */
  debounceMs?: number;
}

export interface IngressRoutes {
  current(): RouteTable;
  /** called after each rebuild */
  onChange(cb: (t: RouteTable) => void): () => void;
  /** Resolves once the informers have synced and the first table is built. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startIngressRoutes(o: IngressRoutesOptions): Promise<IngressRoutes> {
  const className = o.ingressClass ?? DefaultClassName;
  const debounceMs = o.debounceMs ?? 50;
  const factory = new InformerFactory(o.client);
  const sources = routeSources(factory);
  const listeners = new Set<(t: RouteTable) => void>();
  let table = emptyTable();
  let refs = new Set<string>();
  let told = new Set<string>();
  let synced = false;
  let timer: NodeJS.Timeout | undefined;

  const rebuild = () => {
    timer = undefined;
    const started = performance.now();
    const built = buildRouteTable(buildInput(sources, className), table.version + 1);
    table = built.table;
    refs = built.refs;
    // Log each problem once while it lasts, not on every rebuild.
    const now = new Set(built.problems.map((p) => `${p.ingress.namespace}/${p.ingress.name} ${p.reason}: ${p.message}`));
    for (const p of now) if (!told.has(p)) o.log.warn(`ingress ${p}`);
    told = now;
    o.log.debug({ version: table.version, ms: +(performance.now() - started).toFixed(2) }, 'ingress routes rebuilt');
    for (const cb of listeners) {
      try { cb(table); } catch (e) { o.log.error({ err: e }, 'ingress route listener failed'); }
    }
  };
  const schedule = () => { if (synced && !timer) timer = setTimeout(rebuild, debounceMs); };
  const on = (inf: Informer, relevant: (obj: Obj) => boolean = () => true) =>
    inf.addHandler({ add: (x) => relevant(x) && schedule(), update: (a, b) => (relevant(a) || relevant(b)) && schedule(), delete: (x) => relevant(x) && schedule() });
  on(sources.ingresses);
  on(sources.classes);
  on(sources.services, (s) => refs.has(`Service ${s.metadata.namespace}/${s.metadata.name}`));
  on(sources.slices!, (s) => sliceService(s).some((k) => refs.has(`Service ${k}`)));
  on(sources.secrets, (s) => refs.has(`Secret ${s.metadata.namespace}/${s.metadata.name}`));

  const abort = new AbortController();
  factory.start(abort.signal);
  const ready = factory.waitForSync().then(() => {
    synced = true;
    rebuild();
    o.log.info({ ingressClass: className, version: table.version }, 'ingress routes ready');
  });
  return {
    current: () => table,
    onChange(cb) { listeners.add(cb); return () => listeners.delete(cb); },
    ready,
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      timer = undefined;
      synced = false;
    },
  };
}
