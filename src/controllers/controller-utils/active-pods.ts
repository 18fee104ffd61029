/**
 * @module Which pods a scale-down removes first: upstream's ActivePodsWithRanks ordering, with
 * pod-deletion-cost and logarithmic scale-down (both on by default in Kubernetes 1.32).
 */
import type { Obj } from '../../client/client.js';
import { isPodReady, podReadyTime } from './pods.js';

/** The annotation whose (int32) value makes a pod cheaper or dearer to delete. */
export const PodDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** helper.GetDeletionCostFromPodAnnotations; an absent or malformed value costs 0. */
export function podDeletionCost(pod: Obj): number {
  const v = pod.metadata?.annotations?.[PodDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** A pod with its rank: how many active related pods share its node (more = deleted sooner). */
export interface RankedPod { pod: Obj; rank: number }

/**
 * ActivePodsWithRanks.Less: negative when a should be deleted before b. `now` (ms) enables the
 * logarithmic comparison of ready and creation times (pods within a power of two of age tie).
 */
export function compareActivePodsWithRanks(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod, pb = b.pod;
  // 1. Unassigned < assigned.
  const na = pa.spec?.nodeName ?? '', nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  // 2. Pending < Unknown < Running.
  const oa = phaseOrdinal[pa.status?.phase] ?? 0, ob = phaseOrdinal[pb.status?.phase] ?? 0;
  if (oa !== ob) return oa - ob;
  // 3. Not ready < ready.
  const ra = isPodReady(pa), rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  // 4. Lower pod-deletion-cost < higher.
  const ca = podDeletionCost(pa), cb = podDeletionCost(pb);
  if (ca !== cb) return ca - cb;
  // 5. Doubled up < not doubled up.
  if (a.rank !== b.rank) return b.rank - a.rank;
  // 6. Ready for less time < more time.
  if (ra && rb) {
    const c = compareTimes(podReadyTime(pa), podReadyTime(pb), pa, pb, now);
    if (c !== 0) return c;
  }
  // 7. More container restarts < fewer (regular containers, then sidecars).
  const [rega, sida] = maxContainerRestarts(pa), [regb, sidb] = maxContainerRestarts(pb);
  if (rega !== regb) return regb - rega;
  if (sida !== sidb) return sidb - sida;
  // 8. Newer < older.
  return compareTimes(timeOf(pa.metadata?.creationTimestamp), timeOf(pb.metadata?.creationTimestamp), pa, pb, now);
}

/** Sorts pods in deletion order (a copy; the inputs are not touched). */
export function rankPodsForDeletion(pods: RankedPod[], now: number): Obj[] {
  return [...pods].sort((a, b) => compareActivePodsWithRanks(a, b, now)).map((r) => r.pod);
}

const timeOf = (s: string | undefined) => (s ? Date.parse(s) : undefined);

/** Later (or unknown) first; with logarithmic scale-down, equal log2 ages fall back to UID order. */
function compareTimes(ta: number | undefined, tb: number | undefined, pa: Obj, pb: Obj, now: number): number {
  if (ta === tb) return 0;
  if (!ta || !tb) return !ta ? -1 : 1;
  const diff = logRank(now - ta) - logRank(now - tb);
  if (diff !== 0) return diff;
  const ua = pa.metadata?.uid ?? '', ub = pb.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** int64(log2(age in ns)), or -1 for ages that are not positive (upstream logarithmicRankDiff). */
const logRank = (ageMs: number) => (ageMs > 0 ? Math.floor(Math.log2(ageMs * 1e6)) : -1);

function maxContainerRestarts(pod: Obj): [number, number] {
  let regular = 0, sidecar = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always').map((c: Obj) => c.name));
  for (const c of pod.status?.initContainerStatuses ?? []) {
    if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  }
  return [regular, sidecar];
}
