/**
 * @module What the proxy's table holds and what the next transaction must change. Keeps, per
 * Service, the fragment last built (desired) and the one last applied, and turns the difference
 * into one nft script: a partial sync touches only the changed services' chains, sets and map
 * elements (as upstream's partial syncs); a full sync rewrites every chain and map, which also
 * repairs a table someone else edited. Nothing here runs nft: `plan()` gives the script and a
 * `commit()` to call once nft has applied it, so a failed transaction leaves the applied state as
 * it is, and the next (full) sync starts from the truth.
 */
import { baseScript, SharedMaps } from './base.js';
import { serviceFragment, type Element, type Fragment, type NodeContext } from './fragment.js';
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

export class Ruleset {
  private desired = new Map<string, Fragment>();
  private applied = new Map<string, Fragment>();
  /**
   * Element id → the services that want it, first come first served: two LoadBalancer services on
   * one port both get the node IPs; the second takes over when the first goes.
   */
  private claims = new Map<string, Map<string, Element>>();
  private appliedElements = new Map<string, Element>();

  constructor(private o: RulesetOptions) {}

  /** Services now programmed (for tests and logs). */
  get size(): number { return this.applied.size; }

  /**
   * A partial sync: `changes` maps service keys (ns/name) to their current state, or undefined
   * for a service gone.
   */
  planPartial(changes: Map<string, ServiceInput | undefined>): Plan {
    const touched = new Set<string>();
    for (const [key, input] of changes) this.rebuild(key, input, touched);
    const cmds = new Commands(this.o.table);
    for (const key of changes.keys()) cmds.diffChains(this.applied.get(key) ?? EMPTY, this.desired.get(key) ?? EMPTY, false);
    const elementChanges = new Map<string, Element | undefined>();
    for (const id of touched) {
      const want = this.effective(id);
      const have = this.appliedElements.get(id);
      if (sameElement(have, want)) continue;
      if (have) cmds.deleteElement(have);
      if (want) cmds.addElement(want);
      elementChanges.set(id, want);
    }
    const keys = [...changes.keys()];
    return {
      script: cmds.script(),
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
      },
    };
  }

  /**
   * A full sync from every current service. `replaceTable` first deletes any table of that name
   * (a leftover from an earlier run, in whatever state) inside the same transaction.
   */
  planFull(all: Map<string, ServiceInput>, replaceTable = false): Plan {
    this.desired = new Map();
    this.claims = new Map();
    for (const key of [...all.keys()].sort()) this.rebuild(key, all.get(key), new Set());
    const t = `ip ${this.o.table}`;
    const cmds = new Commands(this.o.table, replaceTable);
    if (replaceTable) cmds.pre.push(`table ${t} {}`, `delete table ${t}`);
    cmds.pre.push(...baseScript(this.o.table, this.o.nodeIPs));
    const known = new Set([...this.applied.keys(), ...this.desired.keys()]);
    // After a replaced table nothing is left to delete; otherwise chains of vanished services go.
    for (const key of known) cmds.diffChains(replaceTable ? EMPTY : this.applied.get(key) ?? EMPTY, this.desired.get(key) ?? EMPTY, true);
    const elements = new Map<string, Element>();
    for (const id of this.claims.keys()) {
      const e = this.effective(id)!;
      elements.set(id, e);
      cmds.addElement(e);
    }
    return {
      script: cmds.script(),
      commit: () => {
        this.applied = new Map(this.desired);
        this.appliedElements = elements;
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

/** The commands of one transaction, in the order nft needs them. */
class Commands {
  readonly pre: string[] = [];
  private addSets: string[] = [];
  private addChains: string[] = [];
  private fill: string[] = [];
  private delElements: string[] = [];
  private addElements: string[] = [];
  private flushStale: string[] = [];
  private deleteStale: string[] = [];
  private readonly t: string;

  /** `fresh`: the transaction starts from a deleted table, so there is nothing to flush. */
  constructor(table: string, private readonly fresh = false) { this.t = `ip ${table}`; }

  /** From `from` (applied) to `to` (desired); `rewrite` writes every chain of `to` afresh. */
  diffChains(from: Fragment, to: Fragment, rewrite: boolean): void {
    const { t } = this;
    for (const [name, def] of to.sets) if (rewrite || !from.sets.has(name)) this.addSets.push(`add set ${t} ${name} { ${def} }`);
    for (const [name, rules] of to.chains) {
      const old = from.chains.get(name);
      if (old && !rewrite && sameRules(old, rules)) continue;
      if (!old || rewrite) this.addChains.push(`add chain ${t} ${name}`);
      if (old || (rewrite && !this.fresh)) this.fill.push(`flush chain ${t} ${name}`);
      for (const r of rules) this.fill.push(`add rule ${t} ${name} ${r}`);
    }
    for (const name of from.chains.keys()) {
      if (to.chains.has(name)) continue;
      // `add` first: in a full sync the chain may already be gone (repair); deleting needs it empty.
      if (rewrite) this.addChains.push(`add chain ${t} ${name}`);
      this.flushStale.push(`flush chain ${t} ${name}`);
      this.deleteStale.push(`delete chain ${t} ${name}`);
    }
    for (const [name, def] of from.sets) {
      if (to.sets.has(name)) continue;
      if (rewrite) this.addSets.push(`add set ${t} ${name} { ${def} }`);
      this.deleteStale.push(`delete set ${t} ${name}`);
    }
  }

  addElement(e: Element): void {
    this.addElements.push(`add element ${this.t} ${e.container} { ${e.key}${isMap(e) ? ` : ${e.value}` : ''} }`);
  }

  deleteElement(e: Element): void {
    this.delElements.push(`delete element ${this.t} ${e.container} { ${e.key} }`);
  }

  script(): string {
    const all = [...this.pre, ...this.addSets, ...this.addChains, ...this.fill, ...this.delElements, ...this.addElements, ...this.flushStale, ...this.deleteStale];
    return all.length > 0 ? `${all.join('\n')}\n` : '';
  }
}

const isMap = (e: Element) => e.container in SharedMaps;
const sameRules = (a: string[], b: string[]) => a.length === b.length && a.every((r, i) => r === b[i]);
