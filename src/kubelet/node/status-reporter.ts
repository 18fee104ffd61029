/**
 * @module Node status reports as the kubelet's nodeStatusUpdateFrequency / nodeStatusReportFrequency
 * pair: the status is computed often but written only when it changed, when the stored Ready
 * condition is not the one this node would report (the node lifecycle controller marked it
 * Unknown), or when the report interval passed — so an idle node costs the API a lease renewal only.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';

/** The status without heartbeat times: what "changed" compares. */
function withoutHeartbeats(status: Obj): Obj {
  return { ...status, conditions: (status.conditions ?? []).map(({ lastHeartbeatTime: _, ...c }: Obj) => c) };
}

const readyOf = (conditions: Obj[] | undefined) => conditions?.find((c) => c.type === 'Ready');

export class NodeStatusReporter {
  private lastReportAt = 0;
  private lastReported?: Obj;
  private readonly now: () => number;

  constructor(private readonly o: { client: Client; nodeName: string; now?: () => number }) {
    this.now = o.now ?? Date.now;
  }

  /**
   * Writes `status` when due (see the module comment); `stored` is the Node as last seen (e.g. from
   * an informer). Returns whether it wrote. Throws on API errors (the next call tries again).
   */
  async maybeReport(status: Obj, stored: Obj | undefined, intervalMs: number): Promise<boolean> {
    const mine = readyOf(status.conditions);
    const theirs = readyOf(stored?.status?.conditions);
    const readyMatches = !stored || (theirs?.status === mine?.status && theirs?.reason === mine?.reason);
    const unchanged = this.lastReported !== undefined && isDeepStrictEqual(withoutHeartbeats(status), this.lastReported);
    if (readyMatches && unchanged && this.now() - this.lastReportAt < intervalMs) return false;
    await this.report(status);
    return true;
  }

  /** Writes `status` through the status subresource. Throws on API errors. */
  async report(status: Obj): Promise<Obj> {
    const at = this.now();
    const node = await this.o.client.patch(ref('Node'), this.o.nodeName, 'merge', { status }, { subresource: 'status' });
    this.lastReportAt = at;
    this.lastReported = withoutHeartbeats(status);
    return node;
  }

  /** Forgets the last report, so that the next maybeReport writes (a node coming back to life). */
  reset(): void {
    this.lastReported = undefined;
    this.lastReportAt = 0;
  }
}
