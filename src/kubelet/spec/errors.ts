/**
 * @module The error a container's config cannot be built with (a missing ConfigMap, Secret or key,
 * a bad subPath, …). The pod worker shows its message under the waiting reason
 * CreateContainerConfigError, as the kubelet does, and retries on the next sync.
 */

export const CreateContainerConfigError = 'CreateContainerConfigError';

export class ContainerConfigError extends Error {
  readonly reason = CreateContainerConfigError;
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}
