/**
 * @module The service proxy (kube-proxy's nftables mode): watches Services and EndpointSlices and
 * keeps one nftables table (family ip) that makes ClusterIPs, NodePorts, external IPs and
 * load-balancer IPs answer as the Services say. Each sync is one atomic `nft -f -` transaction of
 * only what changed since the last one; every `FullSyncIntervalMs` (and after any failure) a full
 * one replaces the table. The node agent starts one per node; `tug reset` removes its table.
 */
import type { Logger } from 'pino';
import type { Client, Obj } from '../client/client.js';
import { Informer, keyOf } from '../client/informer.js';
import { ref } from '../client/kind-ref.js';
import { nftDeleteTable } from '../net/nft.js';
import { isProxied } from './fragment.js';
import { applyScript } from './nft-apply.js';
import { Ruleset, type ServiceInput } from './ruleset.js';
import { SyncRunner } from './sync-runner.js';
import { ProxySysctls, setSysctl } from './sysctl.js';

export interface ServiceProxyOptions {
  client: Client;
  nodeName: string;
  /** This node's addresses: NodePorts answer on these. */
  nodeIPs: string[];
  /** The whole pod network (masquerade decisions). */
  clusterCIDR: string;
  /** nft table name (family ip); tests use unique names. */
  table?: string;
  /**
   * Syncs start at most this often (default 100 ms): a burst of endpoint changes (a rollout, a
   * node going away) shares one transaction, while one change still reaches the kernel within a
   * tenth of a second — a partial sync costs a few milliseconds, so a longer wait buys little.
   */
  minSyncIntervalMs?: number;
  log: Logger;
  /** Run nft and sysctl inside this named network namespace (tests, simulated nodes). */
  netns?: string;
}

export interface ServiceProxy {
  /** Resolves when the first full sync is applied (rejects if stopped before). */
  ready: Promise<void>;
  /** Stops watching and removes the table. */
  stop(): Promise<void>;
}

export const DefaultProxyTable = 'tugboat-proxy';
/** Upstream's syncPeriod: a tick that catches anything missed. */
const SyncPeriodMs = 30_000;
/** Upstream's FullSyncPeriod. */
const FullSyncIntervalMs = 3_600_000;
const MaxBackoffMs = 30_000;
/** A full sync of 10,000 services × 10 endpoints takes nft about 10 s here. */
const NftTimeoutMs = 300_000;
/**
 * Chains no service uses are flushed at once but deleted at most this often (or with a sync that
 * deletes map elements): deleting makes nft list every chain first, a second at 10,000 services.
 */
const StaleCleanupMs = 30_000;
const ServiceNameLabel = 'kubernetes.io/service-name';

export async function startServiceProxy(o: ServiceProxyOptions): Promise<ServiceProxy> {
  const table = o.table ?? DefaultProxyTable;
  checkOptions(o, table);
  for (const [key, value] of Object.entries(ProxySysctls)) await setSysctl(key, value, o.netns);

  const ac = new AbortController();
  const services = new Informer(o.client, ref('Service'));
  const slices = new Informer(o.client, ref('EndpointSlice'));
  slices.addIndex('service', (s) => {
    const key = serviceKeyOfSlice(s);
    return key ? [key] : [];
  });
  const ruleset = new Ruleset({ table, nodeIPs: o.nodeIPs.filter((ip) => IPV4.test(ip)), nodeName: o.nodeName, clusterCIDR: o.clusterCIDR });
  const input = (key: string): ServiceInput | undefined => {
    const service = services.get(key);
    return service && isProxied(service) ? { service, slices: slices.byIndex('service', key) } : undefined;
  };

  let dirty = new Set<string>();
  let needFull = true;
  let everApplied = false;
  let lastFull = 0;
  let lastCleanup = 0;
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => {}); // a caller that never awaits it must not crash the process on stop()

  const sync = async () => {
    const full = needFull || Date.now() - lastFull > FullSyncIntervalMs;
    const keys = dirty;
    dirty = new Set();
    const started = performance.now();
    try {
      const cleanup = Date.now() - lastCleanup >= StaleCleanupMs;
      const plan = full
        ? ruleset.planFull(new Map(services.list().filter(isProxied).map((s) => [keyOf(s), input(keyOf(s))!])))
        : ruleset.planPartial(new Map([...keys].map((k) => [k, input(k)])), cleanup);
      if (plan.script) await applyScript(plan.script, { netns: o.netns, timeoutMs: NftTimeoutMs });
      plan.commit();
      if (full || cleanup) lastCleanup = Date.now();
    } catch (e) {
      // Nothing of it applied (one transaction): the next try rewrites everything.
      for (const k of keys) dirty.add(k);
      needFull = true;
      throw e;
    }
    if (full) { needFull = false; lastFull = Date.now(); }
    if (!everApplied) { everApplied = true; resolveReady(); }
    o.log.debug({ table, full, services: ruleset.size, changed: keys.size, stale: ruleset.staleCount, ms: Math.round(performance.now() - started) }, 'service proxy synced');
  };
  const runner = new SyncRunner(sync, {
    minIntervalMs: o.minSyncIntervalMs ?? 100, periodMs: SyncPeriodMs, maxBackoffMs: MaxBackoffMs,
    onError: (err, retryInMs) => o.log.error({ err, table, retryInMs }, 'service proxy sync failed; retrying with a full sync'),
  });
  const changed = (key: string | undefined) => {
    if (!key) return;
    dirty.add(key);
    if (services.hasSynced() && slices.hasSynced()) runner.request();
  };
  services.addHandler({ add: (s) => changed(keyOf(s)), update: (_old, cur) => changed(keyOf(cur)), delete: (s) => changed(keyOf(s)) });
  slices.addHandler({
    add: (s) => changed(serviceKeyOfSlice(s)),
    update: (old, cur) => { changed(serviceKeyOfSlice(old)); changed(serviceKeyOfSlice(cur)); },
    delete: (s) => changed(serviceKeyOfSlice(s)),
  });
  for (const inf of [services, slices]) void inf.run(ac.signal);
  void Promise.all([services.waitForSync(), slices.waitForSync()]).then(() => runner.request());

  return {
    ready,
    async stop() {
      ac.abort();
      await runner.stop();
      rejectReady(new Error('service proxy stopped before its first sync'));
      await nftDeleteTable(table, { netns: o.netns });
    },
  };
}

/** Removes the proxy's table (for `tug reset`); one that does not exist is not an error. */
export function removeProxyTable(table = DefaultProxyTable): Promise<void> {
  return nftDeleteTable(table);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The Service (ns/name) an EndpointSlice belongs to, from its kubernetes.io/service-name label. */
function serviceKeyOfSlice(s: Obj): string | undefined {
  const name = s.metadata?.labels?.[ServiceNameLabel];
  return name ? `${s.metadata.namespace}/${name}` : undefined;
}

function checkOptions(o: ServiceProxyOptions, table: string): void {
  // These go into nft scripts: refuse anything that is not plainly what it claims to be.
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(table)) throw new Error(`invalid nft table name "${table}"`);
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(o.clusterCIDR)) throw new Error(`invalid cluster CIDR "${o.clusterCIDR}": want an IPv4 CIDR such as 10.42.0.0/16`);
  // The table is family ip: IPv6 node addresses are not served (nor refused).
  for (const ip of o.nodeIPs) if (!IPV4.test(ip) && !ip.includes(':')) throw new Error(`invalid node IP "${ip}"`);
}
