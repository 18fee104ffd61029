/**
 * @module Pod routes between nodes, flannel's host-gw: for every other node with a podCIDR and an
 * InternalIP this node keeps `ip route replace <podCIDR> via <InternalIP> proto 77`, so pods reach
 * pods on other nodes by their own IPs (no overlay, no NAT); it needs the nodes on one L2 network.
 * The protocol number marks tugboat's routes: the set is reconciled against `ip route show proto
 * 77` (level-triggered — stale routes of an earlier run go at start), and removed at stop and by
 * `tug reset`. One node agent per network namespace owns those routes.
 */
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import type { Client, Obj } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';

/** The `proto` of the routes tugboat makes (rtnetlink leaves 5-251 to routing daemons). */
export const ROUTE_PROTO = '77';

export interface PodRoutesOptions {
  client: Client;
  /** This node: it gets no route to its own podCIDR. */
  nodeName: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Wraps each `ip` argv, e.g. to run it in another network namespace (tests). Default: as is. */
  netnsExec?: (argv: string[]) => string[];
  /** How often routes are checked again even without a Node change (someone may have removed one). */
  resyncIntervalMs?: number;
}

export interface PodRoutes {
  /** Resolves after the first reconcile following the Node list (tests, start-up order). */
  synced(): Promise<void>;
  /** Stops watching and removes every tugboat route. */
  stop(): Promise<void>;
}

/** A wanted route: destination podCIDR → gateway (the node's InternalIP), with the node it is for. */
interface Route { dst: string; via: string; node: string }

export async function startPodRoutes(o: PodRoutesOptions): Promise<PodRoutes> {
  const wrap = o.netnsExec ?? ((argv: string[]) => argv);
  const informer = new Informer(o.client, { type: ref('Node').type });
  const running = new AbortController();
  let pending: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const lastErrors = new Map<string, string>();

  const reconcile = async (): Promise<void> => {
    const wanted = wantedRoutes(informer.list(), o.nodeName);
    const current = parseRoutes(await run(wrap(['ip', '-4', 'route', 'show', 'table', 'main'])));
    const commands: string[] = [];
    const byCommand: Route[] = [];
    for (const r of wanted.values()) {
      const have = current.get(r.dst);
      if (have && have.proto !== ROUTE_PROTO) {
        // A local route (e.g. this node's own bridge): replacing it would cut this node's pods off.
        note(r.node, `podCIDR ${r.dst} of node ${r.node} is already routed here (${have.line}); not routing it via ${r.via}`);
        continue;
      }
      if (have?.via === r.via) { note(r.node, undefined); continue; }
      commands.push(`route replace ${r.dst} via ${r.via} proto ${ROUTE_PROTO}`);
      byCommand.push(r);
    }
    for (const [dst, have] of current) {
      if (have.proto === ROUTE_PROTO && !wanted.has(dst)) commands.push(`route del ${dst} proto ${ROUTE_PROTO}`);
    }
    if (commands.length === 0) return;
    // One `ip -batch` for all changes; -force goes on past a failing line (a node whose IP is not on
    // our network has no usable gateway) and reports each failure by its line number.
    const failures = await runBatch(wrap(['ip', '-force', '-batch', '-']), commands);
    byCommand.forEach((r, i) => {
      note(r.node, failures.get(i + 1) && `cannot route ${r.dst} via ${r.via} (node ${r.node}): ${failures.get(i + 1)}`);
      if (!failures.has(i + 1)) o.log.info(`pod routes: ${r.dst} via ${r.via} (node ${r.node})`);
    });
    for (let i = byCommand.length; i < commands.length; i++) {
      if (failures.has(i + 1)) o.log.warn(`pod routes: ${commands[i]}: ${failures.get(i + 1)}`);
      else o.log.info(`pod routes: removed ${commands[i]!.split(' ')[2]}`);
    }
  };
  // Warn once per node and problem, not at every resync.
  const note = (node: string, error: string | undefined) => {
    if (error === lastErrors.get(node)) return;
    if (error) { lastErrors.set(node, error); o.log.warn(`pod routes: ${error}`); } else lastErrors.delete(node);
  };

  // Reconciles run one at a time; changes meanwhile fold into one more run.
  const schedule = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (pending) { again = true; return pending; }
    pending = (async () => {
      do {
        again = false;
        await reconcile().catch((e) => o.log.warn(`pod routes: ${e instanceof Error ? e.message : e}`));
      } while (again && !stopped);
      pending = undefined;
    })();
    return pending;
  };

  const routeKey = (n: Obj) => JSON.stringify([nodeCIDRs(n), internalIP(n)]);
  informer.addHandler({
    add: () => { if (informer.hasSynced()) void schedule(); },
    update: (a, b) => { if (routeKey(a) !== routeKey(b)) void schedule(); },
    delete: () => void schedule(),
  });
  const informerDone = informer.run(running.signal);
  const first = informer.waitForSync().then(() => schedule());
  const resync = setInterval(() => void schedule(), o.resyncIntervalMs ?? 60_000);
  resync.unref();

  return {
    synced: () => first,
    async stop() {
      stopped = true;
      clearInterval(resync);
      running.abort();
      await informerDone;
      await pending;
      await removePodRoutes(o.netnsExec);
    },
  };
}

/** Removes every route tugboat made in this network namespace (for stop and `tug reset`). */
export async function removePodRoutes(netnsExec: (argv: string[]) => string[] = (a) => a): Promise<void> {
  await run(netnsExec(['ip', '-4', 'route', 'flush', 'table', 'main', 'proto', ROUTE_PROTO]));
}

/** The routes this node wants: every other node's IPv4 podCIDRs via its InternalIP, by destination. */
export function wantedRoutes(nodes: Obj[], self: string): Map<string, Route> {
  const out = new Map<string, Route>();
  for (const n of [...nodes].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)))) {
    const name = n.metadata?.name as string;
    const via = internalIP(n);
    if (name === self || !via) continue;
    // Two nodes claiming one CIDR is the IPAM's bug; the first by name keeps it, so the choice is stable.
    for (const dst of nodeCIDRs(n)) if (!out.has(dst)) out.set(dst, { dst, via, node: name });
  }
  return out;
}

const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

function nodeCIDRs(n: Obj): string[] {
  const all = [...(n.spec?.podCIDRs ?? []), ...(n.spec?.podCIDR ? [n.spec.podCIDR] : [])] as string[];
  return [...new Set(all.filter((c) => typeof c === 'string' && IPV4_CIDR.test(c)))];
}

function internalIP(n: Obj): string | undefined {
  const a = (n.status?.addresses ?? []).find((x: Obj) => x.type === 'InternalIP' && IPV4.test(x.address));
  return a?.address;
}

/** `ip route show` lines by destination: the gateway and protocol of each. */
function parseRoutes(out: string): Map<string, { via?: string; proto: string; line: string }> {
  const routes = new Map<string, { via?: string; proto: string; line: string }>();
  for (const line of out.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (!words[0] || !IPV4_CIDR.test(words[0])) continue;
    const after = (w: string) => { const i = words.indexOf(w); return i >= 0 ? words[i + 1] : undefined; };
    routes.set(words[0], { via: after('via'), proto: after('proto') ?? 'boot', line: line.trim() });
  }
  return routes;
}

function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 20_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      reject(new Error(`${argv.join(' ')}: ${stderr.trim() || err.message}`));
    });
  });
}

/** Runs an `ip -batch -` and returns its failures by (1-based) line: "Command failed -:N" follows each error. */
function runBatch(argv: string[], lines: string[]): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: 20_000 }, (err, _stdout, stderr) => {
      const failures = new Map<number, string>();
      let message: string[] = [];
      for (const l of stderr.split('\n')) {
        const m = /^Command failed -:(\d+)$/.exec(l.trim());
        if (m) { failures.set(Number(m[1]), message.join('; ') || 'failed'); message = []; } else if (l.trim()) message.push(l.trim());
      }
      if (err && failures.size === 0) return reject(new Error(`${argv.join(' ')}: ${stderr.trim() || err.message}`));
      resolve(failures);
    });
    child.stdin?.end(lines.join('\n') + '\n');
  });
}
