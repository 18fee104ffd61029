/**
 * @module StatefulSet pod identity and storage (upstream's stateful_set_utils.go): pod names
 * `<set>-<ordinal>`, the pod-name / pod-index labels, hostname and subdomain, and claims
 * `<claim>-<set>-<ordinal>` that the pod's volumes point at.
 */
import type { Obj } from '../../client/client.js';
import { ControllerRevisionHashLabel } from '../controller-utils/controller-history.js';
import { newControllerRef } from '../controller-utils/controller-ref.js';
import { podFromTemplate } from '../controller-utils/pod-template.js';

export const StatefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const PodIndexLabel = 'apps.kubernetes.io/pod-index';

/** spec.ordinals.start (0 unless set). */
export const startOrdinal = (set: Obj): number => set.spec?.ordinals?.start ?? 0;
export const podName = (set: Obj, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: Obj, claim: Obj, ordinal: number): string => `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;

/** getOrdinal: the trailing number of a pod named `<set>-<n>`, or -1. */
export function ordinalOf(set: Obj, pod: Obj): number {
  const prefix = `${set.metadata.name}-`;
  const name: string = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** The revision (controller-revision-hash label) a pod was made from. */
export const podRevision = (pod: Obj): string | undefined => pod.metadata?.labels?.[ControllerRevisionHashLabel];

/** ApplyRevision: the set with the template a revision recorded. */
export function setAtRevision(set: Obj, revision: Obj): Obj {
  const { $patch: _replace, ...template } = revision.data?.spec?.template ?? {};
  return { ...set, spec: { ...set.spec, template } };
}

/** newStatefulSetPod: the template's pod with its stable identity, storage and revision. */
export function newStatefulSetPod(set: Obj, ordinal: number, revisionName: string): Obj {
  const pod = podFromTemplate(set.spec.template, set.metadata.name, newControllerRef(set, 'apps/v1', 'StatefulSet'));
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...pod.metadata.labels, [StatefulSetPodNameLabel]: pod.metadata.name, [PodIndexLabel]: String(ordinal),
    [ControllerRevisionHashLabel]: revisionName };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  // updateStorage: a volume per claim template, replacing template volumes of the same name.
  const claims: Obj[] = set.spec.volumeClaimTemplates ?? [];
  if (claims.length) {
    const names = new Set(claims.map((c) => c.metadata.name));
    pod.spec.volumes = [
      ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } })),
      ...(pod.spec.volumes ?? []).filter((v: Obj) => !names.has(v.name)),
    ];
  }
  return pod;
}

/** getPersistentVolumeClaims: the claims of one ordinal, labelled with the set's matchLabels. */
export function claimsFor(set: Obj, ordinal: number): Obj[] {
  return (set.spec.volumeClaimTemplates ?? []).map((c: Obj) => {
    const claim: Obj = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { ...structuredClone(c.metadata ?? {}), name: claimName(set, c, ordinal), namespace: set.metadata.namespace },
      spec: structuredClone(c.spec ?? {}),
    };
    claim.metadata.labels = { ...claim.metadata.labels, ...set.spec.selector?.matchLabels };
    // whenDeleted: Delete makes the claims dependents of the set, so that the GC removes them with it.
    if (set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
      claim.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name, uid: set.metadata.uid,
        blockOwnerDeletion: true }];
    }
    return claim;
  });
}

/** isRunningAndReady. */
export const isRunningAndReady = (pod: Obj): boolean =>
  pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
/** isCreated: the kubelet (or API server) has given it a phase. */
export const isCreated = (pod: Obj): boolean => !!pod.status?.phase;
export const isTerminating = (pod: Obj): boolean => !!pod.metadata?.deletionTimestamp;
export const isFinished = (pod: Obj): boolean => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
