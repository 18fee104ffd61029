/**
 * @module Pods from a controller's template (upstream's GetPodFromTemplate and RealPodControl):
 * generateName `<controller>-`, the template's labels, annotations and finalizers, the controller
 * ownerReference, and the SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete events.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import { isDNS1123Subdomain } from '../../apimachinery/labels/validation.js';
import type { Client, Obj, ResourceRef } from '../../client/client.js';
import type { EventSink } from '../context.js';
import type { OwnerReference } from './controller-ref.js';

export const SuccessfulCreatePodReason = 'SuccessfulCreate';
export const FailedCreatePodReason = 'FailedCreate';
export const SuccessfulDeletePodReason = 'SuccessfulDelete';
export const FailedDeletePodReason = 'FailedDelete';

/** getPodsPrefix: `<name>-`, or the bare name when the dash would make an invalid name. */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return isDNS1123Subdomain(`${controllerName}a`).length === 0 ? prefix : controllerName;
}

/** GetPodFromTemplate. */
export function podFromTemplate(template: Obj, controllerName: string, controllerRef: OwnerReference): Obj {
  const meta: Obj = { generateName: podNamePrefix(controllerName), ownerReferences: [controllerRef] };
  const tm = template.metadata ?? {};
  if (tm.labels) meta.labels = { ...tm.labels };
  if (tm.annotations) meta.annotations = { ...tm.annotations };
  if (tm.finalizers) meta.finalizers = [...tm.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(template.spec ?? {}) };
}

/** Creates and deletes a controller's pods, recording upstream's events on the controller. */
export class PodControl {
  constructor(private client: Client, private pods: (namespace: string) => ResourceRef, private events: EventSink,
    private fieldManager: string) {}

  /** Creates one pod from template; throws the API error after a FailedCreate event. */
  async createPod(namespace: string, template: Obj, controller: Obj, controllerRef: OwnerReference): Promise<Obj> {
    const pod = podFromTemplate(template, controller.metadata.name, controllerRef);
    if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.client.create(this.pods(namespace), pod, { fieldManager: this.fieldManager });
      this.events.event(controller, 'Normal', SuccessfulCreatePodReason, `Created pod: ${created.metadata.name}`);
      return created;
    } catch (e) {
      this.events.event(controller, 'Warning', FailedCreatePodReason, `Error creating: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Deletes one pod; NotFound is rethrown as is (no event), other errors after a FailedDelete event. */
  async deletePod(namespace: string, name: string, controller: Obj): Promise<void> {
    try {
      await this.client.delete(this.pods(namespace), name, { fieldManager: this.fieldManager });
    } catch (e) {
      if (isNotFound(e)) throw e;
      this.events.event(controller, 'Warning', FailedDeletePodReason, `Error deleting: ${(e as Error).message}`);
      throw new Error(`unable to delete pods: ${(e as Error).message}`, { cause: e });
    }
    this.events.event(controller, 'Normal', SuccessfulDeletePodReason, `Deleted pod: ${name}`);
  }
}
