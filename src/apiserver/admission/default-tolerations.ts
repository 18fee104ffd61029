/**
 * @module The DefaultTolerationSeconds admission plugin: a new pod that does not tolerate the
 * not-ready and unreachable NoExecute taints gets tolerations for them, for 300 s each, so that
 * taint-based eviction waits five minutes for a node to come back (as kube-apiserver's).
 */

export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';
/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DefaultTolerationSeconds = 300;

interface Toleration { key?: string; operator?: string; effect?: string; tolerationSeconds?: number }

/** Adds the default tolerations to a pod being created (its spec.tolerations), unless already tolerated. */
export function addDefaultTolerations(pod: { spec?: { tolerations?: Toleration[] } }): void {
  if (!pod.spec) return;
  const tolerations = pod.spec.tolerations ?? [];
  const tolerates = (key: string) => tolerations.some((t) =>
    (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added: Toleration[] = [];
  for (const key of [TaintNodeNotReady, TaintNodeUnreachable]) {
    if (!tolerates(key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DefaultTolerationSeconds });
  }
  if (added.length) pod.spec.tolerations = [...tolerations, ...added];
}
