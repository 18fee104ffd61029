/**
 * @module What upstream's pod strategy sets on create (PrepareForCreate): a fresh status with
 * phase Pending and the pod's QoS class (pkg/apis/core/helper/qos.GetPodQOS).
 */
import { podQOSClass, type PodLike } from '../../api/pod-qos.js';

/** Replaces a new pod's status with the one upstream's PrepareForCreate makes. */
export function preparePodForCreate(pod: PodLike): void {
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
}
