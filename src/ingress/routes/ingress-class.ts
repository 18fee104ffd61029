/**
 * @module Which Ingresses are tugboat's, as ingress-nginx decides: the legacy
 * kubernetes.io/ingress.class annotation when present, else spec.ingressClassName naming our
 * class (or any IngressClass whose controller is ours), else — no class at all — ours only
 * when our IngressClass is the cluster's default.
 */
import type { Obj } from '../../client/client.js';

export const ControllerName = 'tugboat.io/ingress-controller';
export const DefaultClassName = 'tugboat';
export const DefaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';
export const LegacyClassAnnotation = 'kubernetes.io/ingress.class';

/** Decides ownership from the IngressClasses; build one per change of the classes. */
export function ingressClassFilter(className: string, classes: Obj[]): (ing: Obj) => boolean {
  const ours = new Set(classes.filter((c) => c.spec?.controller === ControllerName).map((c) => c.metadata.name as string));
  ours.add(className);
  const own = classes.find((c) => c.metadata?.name === className);
  const isDefault = own !== undefined && own.spec?.controller === ControllerName &&
    own.metadata?.annotations?.[DefaultClassAnnotation] === 'true';
  return (ing) => {
    if (ing.metadata?.deletionTimestamp) return false;
    const legacy = ing.metadata?.annotations?.[LegacyClassAnnotation];
    if (legacy !== undefined) return legacy === className;
    const name = ing.spec?.ingressClassName;
    return name ? ours.has(name) : isDefault;
  };
}
