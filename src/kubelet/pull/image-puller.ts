/**
 * @module Making sure a container's image is present, as the kubelet's image manager: ImageStatus
 * first, then pull per imagePullPolicy (Always / IfNotPresent / Never) with the pod's
 * imagePullSecrets matched to the registry, a per-pod-and-image back-off after failures (10 s
 * doubling to 5 min: ImagePullBackOff), and the kubelet's events (Pulling, Pulled, Failed, BackOff).
 */
import type { Obj } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { AuthConfig, ImageService, PodSandboxConfig } from '../cri/types.js';
import { Backoff, goDuration } from '../pods/backoff.js';
import { rpcErrorString } from '../pods/cri-errors.js';
import { InvalidImageNameError, parseImageName, registryHost, withDefaultTag } from './image-name.js';
import { credentialsFor } from './pull-secrets.js';

/** Waiting reasons of containers whose image is not there (kubelet's images/types.go). */
export const PullReason = {
  ErrImagePull: 'ErrImagePull',
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImageNeverPull: 'ErrImageNeverPull',
  InvalidImageName: 'InvalidImageName',
  ImageInspectError: 'ImageInspectError',
} as const;

export interface PullFailure { reason: string; message: string }
export type EnsureResult = { imageRef: string; failure?: undefined } | { imageRef?: undefined; failure: PullFailure };

export interface ImagePullerOptions {
  images: ImageService;
  recorder: EventRecorder;
  /** Reads a pull secret (undefined when missing: the kubelet then pulls without it). */
  secret(namespace: string, name: string): Promise<Obj | undefined>;
  /** Pull back-off (default 10 s doubling to 5 min). */
  backoff?: Backoff;
  now?: () => number;
}

/** The pull policy the API server defaults: Always for ":latest" or no tag, else IfNotPresent. */
export function pullPolicyOf(container: Obj): string {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  try {
    const n = parseImageName(container.image);
    return !n.digest && (!n.tag || n.tag === 'latest') ? 'Always' : 'IfNotPresent';
  } catch {
    return 'IfNotPresent';
  }
}

export class ImagePuller {
  readonly backoff: Backoff;
  private readonly now: () => number;
  /** Pulls in flight by image and credentials, so that pods starting together pull once. */
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly o: ImagePullerOptions) {
    this.now = o.now ?? Date.now;
    this.backoff = o.backoff ?? new Backoff({ initialMs: 10_000, maxMs: 300_000, now: this.now });
  }

  /** Ensures the image of `container` is present; never throws (failures come back with the kubelet's reason). */
  async ensureImage(pod: Obj, container: Obj, sandboxConfig?: PodSandboxConfig): Promise<EnsureResult> {
    const requested: string = container.image ?? '';
    const podRef = { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata };
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => this.o.recorder.event(podRef, type, reason, message);
    let image: string;
    try {
      image = withDefaultTag(requested);
    } catch (e) {
      const message = (e as InvalidImageNameError).message;
      event('Warning', 'InspectFailed', message);
      return { failure: { reason: PullReason.InvalidImageName, message } };
    }
    let present: string | undefined;
    try {
      const status = await this.o.images.imageStatus({ image });
      present = status ? status.id : undefined;
    } catch (e) {
      const message = `Failed to inspect image "${requested}": ${rpcErrorString(e)}`;
      event('Warning', 'InspectFailed', message);
      return { failure: { reason: PullReason.ImageInspectError, message } };
    }
    const policy = pullPolicyOf(container);
    const shouldPull = policy === 'Always' || (policy !== 'Never' && !present);
    if (!shouldPull) {
      if (present) {
        event('Normal', 'Pulled', `Container image "${requested}" already present on machine`);
        return { imageRef: present };
      }
      const message = `Container image "${requested}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', message);
      return { failure: { reason: PullReason.ErrImageNeverPull, message } };
    }
    const key = backoffKey(pod.metadata.uid, requested);
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${requested}"`;
      event('Normal', 'BackOff', message);
      return { failure: { reason: PullReason.ImagePullBackOff, message } };
    }
    event('Normal', 'Pulling', `Pulling image "${requested}"`);
    const started = this.now();
    try {
      const auths = credentialsFor(registryHost(image), await this.pullSecrets(pod));
      const imageRef = await this.pullWithAny(image, auths, sandboxConfig);
      const took = goDuration(this.now() - started);
      const size = (await this.o.images.imageStatus({ image }).catch(() => undefined))?.size ?? '0';
      event('Normal', 'Pulled', `Successfully pulled image "${requested}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
      return { imageRef };
    } catch (e) {
      const message = rpcErrorString(e);
      event('Warning', 'Failed', `Failed to pull image "${requested}": ${message}`);
      this.backoff.next(key, this.now());
      return { failure: { reason: PullReason.ErrImagePull, message } };
    }
  }

  /** Milliseconds until a pull of this pod's `image` may be tried again (0 when it may now). */
  backoffRemaining(podUID: string, image: string): number {
    const key = backoffKey(podUID, image);
    const last = this.backoff.lastUpdate(key);
    return last === undefined ? 0 : this.backoff.remaining(key, last);
  }

  /** Forgets the pull back-offs of a removed pod. */
  forgetPod(podUID: string): void { this.backoff.resetPrefix(`${podUID}_`); }

  private async pullSecrets(pod: Obj): Promise<Obj[]> {
    const names: string[] = (pod.spec?.imagePullSecrets ?? []).map((s: Obj) => s?.name).filter(Boolean);
    const found = await Promise.all(names.map((n) => this.o.secret(pod.metadata.namespace, n)));
    return found.filter((s): s is Obj => !!s);
  }

  /** Pulls with each matching credential in turn (anonymously when none match); the last error wins. */
  private async pullWithAny(image: string, auths: AuthConfig[], sandboxConfig?: PodSandboxConfig): Promise<string> {
    let lastError: unknown;
    for (const auth of auths.length ? auths : [undefined]) {
      try {
        return await this.pullOnce(image, auth, sandboxConfig);
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  private pullOnce(image: string, auth: AuthConfig | undefined, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const key = JSON.stringify([image, auth ?? null]);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.o.images.pullImage({ image }, auth, sandboxConfig).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}

const backoffKey = (podUID: string, image: string) => `${podUID}_${image}`;
