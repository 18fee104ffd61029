/**
 * @module The error a pod's volumes fail with. The pod worker records its messages as
 * FailedMount Warning events (one per volume) and keeps the pod waiting, as the kubelet does.
 */

export const FailedMount = 'FailedMount';

export interface VolumeFailure {
  /** The volume's name in the pod. */
  volume: string;
  /** kubelet's wording, e.g. `MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found`. */
  message: string;
}

export class VolumeError extends Error {
  readonly reason = FailedMount;
  constructor(readonly failures: VolumeFailure[]) {
    super(failures.map((f) => f.message).join('; '));
    this.name = 'VolumeError';
  }

  /** The names of the volumes that could not be set up, as "unmounted volumes=[…]" lists them. */
  get volumes(): string[] {
    return this.failures.map((f) => f.volume);
  }
}

/** The message kubelet's operation executor gives a failed SetUp. */
export const setUpFailed = (volume: string, cause: string) => `MountVolume.SetUp failed for volume "${volume}" : ${cause}`;
