/**
 * @module CycleState: data plugins compute in PreFilter/PreScore and read in Filter/Score, for one
 * pod's scheduling cycle. Cloned (per entry) when preemption simulates removing pods.
 */

/** A value kept in CycleState; clone() must return an independent copy (preemption mutates copies). */
export interface StateData {
  clone(): StateData;
}

export class CycleState {
  private data = new Map<string, StateData>();
  /** Filter plugins whose PreFilter returned SKIP for this pod. */
  skipFilterPlugins = new Set<string>();

  write(key: string, value: StateData): void { this.data.set(key, value); }

  /** The value under key, or undefined when the owning PreFilter/PreScore skipped or did not run. */
  read<T extends StateData>(key: string): T | undefined { return this.data.get(key) as T | undefined; }

  clone(): CycleState {
    const c = new CycleState();
    c.skipFilterPlugins = this.skipFilterPlugins;
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    return c;
  }
}
