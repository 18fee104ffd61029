/**
 * @module What the proxy's table holds and what the next transaction must change. Keeps, per
 * Service, the fragment last built (desired) and the one last applied, and turns the difference
 * into one nft script. Nothing here runs nft: a plan gives the script and a `commit()` to call once
 * nft has applied it, so a failed transaction leaves the applied state as it is, and the next
 * (full) sync starts from the truth.
 *
 * The script shapes are chosen for what nft 1.0.6 and the kernel make them cost (measured with
 * 10,000 services × 10 endpoints, bench/proxy-sync.ts):
 * - A full sync replaces the table in one transaction: `delete table` and the whole table as one
 *   declarative block, which nft parses and the kernel applies in far less time than a line per
 *   command. It also repairs anything someone else changed.
 * - A partial sync uses only commands for which nft loads no more than the list of tables: rules
 *   go inside `add chain X { … }` and new elements inside `add map M { … elements = { … } }`.
 *   `add rule`, `add element`, `delete element` and `delete chain` make nft first list every chain
 *   of the family (about a second at 110,000 chains). So chains that fall out of use are flushed
 *   and left in place ("stale"), and deleted when a transaction pays for that list anyway (it
 *   deletes elements) or the caller asks (`cleanup`, a few times a minute at most).
 */
import { baseDeclarations, chainBlock, setBody, SharedMaps, SharedSets } from './base.js';
import { serviceFragment, type Element, type Fragment, type NodeContext, type SharedContainer } from './fragment.js';
import type { Obj } from '../client/client.js';

export interface ServiceInput { service: Obj; slices: Obj[] }

export interface RulesetOptions extends NodeContext {
  table: string;
  nodeIPs: string[];
}

export interface Plan {
  /** The nft script (one transaction); '' when nothing changes. */
  script: string;
  /** Records the plan as applied. */
  commit(): void;
}

const EMPTY: Fragment = { chains: new Map(), sets: new Map(), elements: [] };
const elementId = (e: Element) => `${e.container} ${e.key}`;
const elementText = (e: Element) => (e.value === undefined ? e.key : `${e.key} : ${e.value}`);
const SharedDefs: Record<SharedContainer, string> = { ...SharedMaps, 'cluster-ips': SharedSets['cluster-ips'] };

export class Ruleset {
  private desired = new Map<string, Fragment>();
  private applied = new Map<string, Fragment>();
  /**
   * Element id → the services that want it, first come first served: two LoadBalancer services on
   * one port both get the node IPs; the second takes over when the first goes.
   */
  private claims = new Map<string, Map<string, Element>>();
  private appliedElements = new Map<string, Element>();
  /** Chains (flushed) and affinity sets no service uses any more, still in the table. */
  private stale = new Map<string, 'chain' | 'set'>();

  constructor(private o: RulesetOptions) {}

  /** Services now programmed (for tests and logs). */
  get size(): number { return this.applied.size; }

  /** Stale chains and sets waiting to be deleted (for tests and logs). */
  get staleCount(): number { return this.stale.size; }

  /**
   * A partial sync: `changes` maps service keys (ns/name) to their current state, or undefined
   * for a service gone. `cleanup` deletes the stale chains and sets even when nothing else would.
   */
  planPartial(changes: Map<string, ServiceInput | undefined>, cleanup = false): Plan {
    const t = `ip ${this.o.table}`;
    const touched = new Set<string>();
    for (const [key, input] of changes) this.rebuild(key, input, touched);
    const stale = new Map(this.stale);
    const addSets: string[] = [];
    const flushes: string[] = [];
    const bodies: string[] = [];
    for (const key of changes.keys()) {
      const from = this.applied.get(key) ?? EMPTY;
      const to = this.desired.get(key) ?? EMPTY;
      for (const [name, def] of to.sets) {
        if (!from.sets.has(name) && !stale.delete(name)) addSets.push(`add set ${t} ${name} { ${def} }`);
      }
      // In fragment order, which puts a chain after those it jumps to: each exists when referred to.
      for (const [name, rules] of to.chains) {
        const old = from.chains.get(name);
        if (old && sameRules(old, rules)) continue;
        if (old || stale.delete(name)) flushes.push(`flush chain ${t} ${name}`);
        bodies.push(`add ${chainBlock(`${t} ${name}`, rules)}`);
      }
      for (const name of from.chains.keys()) {
        if (to.chains.has(name)) continue;
        flushes.push(`flush chain ${t} ${name}`);
        stale.set(name, 'chain');
      }
      for (const name of from.sets.keys()) if (!to.sets.has(name)) stale.set(name, 'set');
    }
    const deletes = new Map<SharedContainer, string[]>();
    const adds = new Map<SharedContainer, string[]>();
    const elementChanges = new Map<string, Element | undefined>();
    for (const id of touched) {
      const want = this.effective(id);
      const have = this.appliedElements.get(id);
      if (sameElement(have, want)) continue;
      if (have) push(deletes, have.container, have.key);
      if (want) push(adds, want.container, elementText(want));
      elementChanges.set(id, want);
    }
    const out = [...addSets, ...flushes, ...bodies];
    for (const [container, keys] of deletes) out.push(`delete element ${t} ${container} { ${keys.join(', ')} }`);
    for (const [container, texts] of adds) out.push(`add ${container in SharedMaps ? 'map' : 'set'} ${t} ${container} ${setBody(SharedDefs[container], texts)}`);
    // Deleting is what makes nft list every chain: do it when this transaction pays for that anyway.
    const deleteStale = stale.size > 0 && (cleanup || deletes.size > 0);
    if (deleteStale) for (const [name, kind] of stale) out.push(`delete ${kind} ${t} ${name}`);
    const keys = [...changes.keys()];
    return {
      script: out.length > 0 ? `${out.join('\n')}\n` : '',
      commit: () => {
        for (const key of keys) {
          const f = this.desired.get(key);
          if (f) this.applied.set(key, f);
          else this.applied.delete(key);
        }
        for (const [id, e] of elementChanges) {
          if (e) this.appliedElements.set(id, e);
          else this.appliedElements.delete(id);
        }
        this.stale = deleteStale ? new Map() : stale;
      },
    };
  }

  /**
   * A full sync from every current service: the table (whatever is in it, or not there at all)
   * is replaced in one transaction.
   */
  planFull(all: Map<string, ServiceInput>): Plan {
    this.desired = new Map();
    this.claims = new Map();
    for (const key of [...all.keys()].sort()) this.rebuild(key, all.get(key), new Set());
    const elements = new Map<string, Element>();
    const texts = new Map<string, string[]>([['nodeport-ips', [...this.o.nodeIPs]]]);
    for (const [id, owners] of this.claims) {
      const e = owners.values().next().value!;
      elements.set(id, e);
      push(texts, e.container, elementText(e));
    }
    const t = `ip ${this.o.table}`;
    const body: string[] = baseDeclarations(texts);
    for (const f of this.desired.values()) {
      for (const [name, def] of f.sets) body.push(`set ${name} { ${def} }`);
      for (const [name, rules] of f.chains) body.push(chainBlock(name, rules));
    }
    return {
      script: `table ${t} {}\ndelete table ${t}\ntable ${t} {\n${body.join('\n')}\n}\n`,
      commit: () => {
        this.applied = new Map(this.desired);
        this.appliedElements = elements;
        this.stale = new Map();
      },
    };
  }

  private rebuild(key: string, input: ServiceInput | undefined, touched: Set<string>): void {
    for (const e of this.desired.get(key)?.elements ?? []) {
      const id = elementId(e);
      touched.add(id);
      const owners = this.claims.get(id);
      owners?.delete(key);
      if (owners?.size === 0) this.claims.delete(id);
    }
    const f = input ? serviceFragment(input.service, input.slices, this.o) : undefined;
    if (f && (f.chains.size > 0 || f.elements.length > 0)) this.desired.set(key, f);
    else this.desired.delete(key);
    for (const e of f?.elements ?? []) {
      const id = elementId(e);
      touched.add(id);
      let owners = this.claims.get(id);
      if (!owners) this.claims.set(id, (owners = new Map()));
      owners.set(key, e);
    }
  }

  private effective(id: string): Element | undefined {
    const owners = this.claims.get(id);
    return owners ? owners.values().next().value : undefined;
  }
}

const sameElement = (a?: Element, b?: Element) => a?.value === b?.value && (a === undefined) === (b === undefined);
const sameRules = (a: string[], b: string[]) => a.length === b.length && a.every((r, i) => r === b[i]);

function push<K>(m: Map<K, string[]>, k: K, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
