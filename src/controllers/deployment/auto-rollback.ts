/**
 * @module tugboat's auto-rollback (Docker Swarm's failure_action: rollback): a Deployment
 * annotated `tugboat.dev/auto-rollback: "true"` whose rollout exceeds its progress deadline is
 * rolled back to the previous revision's template, as `kubectl rollout undo` does, with an event.
 */
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { FieldManager, type DeploymentSync } from './sync.js';
import { equalIgnoreHash, lastRevision, PodTemplateHashLabel, revisionOf, skipCopyAnnotation } from './util.js';

export const AutoRollbackAnnotation = 'tugboat.dev/auto-rollback';
export const AutoRollbackReason = 'AutoRollback';

/**
 * Rolls d back to the ReplicaSet of the previous revision (a Warning event either way: rolled
 * back, or nothing to roll back to). Writes with d's resourceVersion, so a concurrent user edit
 * wins and the next timeout decides again.
 */
export async function autoRollback(s: DeploymentSync, d: Obj, allRSs: (Obj | undefined)[], newRS: Obj | undefined): Promise<void> {
  if (d.metadata.annotations?.[AutoRollbackAnnotation] !== 'true') return;
  const rss = allRSs.filter((rs): rs is Obj => !!rs);
  const failed = newRS ? `revision ${revisionOf(newRS)} (replica set ${newRS.metadata.name})` : 'the rollout';
  const previous = lastRevision(rss);
  const target = rss.find((rs) => revisionOf(rs) === previous && previous > 0);
  if (!target || equalIgnoreHash(target.spec?.template, d.spec?.template)) {
    s.deps.events.event(d, 'Warning', AutoRollbackReason,
      `${failed} exceeded its progress deadline; no previous revision to roll back to`);
    return;
  }
  const template = structuredClone(target.spec.template);
  delete template.metadata?.labels?.[PodTemplateHashLabel];
  const annotations: Record<string, string> = { ...(d.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries<string>(target.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) annotations[k] = v;
  const next = structuredClone(d);
  next.spec.template = template;
  next.metadata.annotations = annotations;
  delete next.status;
  await s.deps.client.update(ref('Deployment', d.metadata.namespace), next, { fieldManager: FieldManager });
  s.deps.events.event(d, 'Warning', AutoRollbackReason,
    `${failed} exceeded its progress deadline; rolled back to revision ${previous} (replica set ${target.metadata.name})`);
}
