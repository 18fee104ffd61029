/**
 * @module A pod's container as a CRI ContainerConfig (kuberuntime generateContainerConfig):
 * image, command and args with $(VAR) expansion, environment, mounts, resources, security
 * context, tty/stdin, log path, and the labels and annotations the kubelet finds it by.
 */
import { totalmem } from 'node:os';
import type { Obj } from '../../client/client.js';
import type { ContainerConfig, Mount } from '../cri/types.js';
import type { ConfigSource } from './config-source.js';
import { makeEnvironmentVariables, expandCommandAndArgs } from './env.js';
import { ContainerConfigError } from './errors.js';
import { containerAnnotations, containerLabels } from './labels.js';
import { machineAllocatable, type NodeAllocatable } from './resource-field.js';
import { containerResources } from './resources.js';
import { containerSecurityContext } from './security-context.js';

export interface ContainerConfigInput {
  pod: Obj;
  container: Obj;
  restartCount: number;
  mounts: Mount[];
  podIP: string;
  podIPs: string[];
  hostIP: string;
  nodeName: string;
  source: ConfigSource;
  /** The image as the runtime resolved it (id or digest); default the container's image. */
  imageRef?: string;
  /** The node's IPs for status.hostIPs; default [hostIP]. */
  hostIPs?: string[];
  /** node.status.allocatable, for resourceFieldRef without a limit; default this machine's. */
  nodeAllocatable?: NodeAllocatable;
  /** Node memory in bytes, for Burstable oom_score_adj; default this machine's. */
  memoryCapacity?: number;
  /** The image's configured user, to enforce runAsNonRoot when the pod sets no runAsUser. */
  imageUser?: string;
  /** Service variables (FOO_SERVICE_HOST, …) when enableServiceLinks. */
  serviceEnv?: ReadonlyMap<string, string>;
}

/** BuildContainerLogsPath, relative to the sandbox's log directory. */
export const containerLogPath = (containerName: string, restartCount: number) => `${containerName}/${restartCount}.log`;

/** Throws ContainerConfigError (shown as CreateContainerConfigError) for anything the pod got wrong. */
export async function buildContainerConfig(i: ContainerConfigInput): Promise<ContainerConfig> {
  const { pod, container, restartCount } = i;
  if (!container?.name) throw new ContainerConfigError('container has no name');
  if (!container.image && !i.imageRef) throw new ContainerConfigError(`container ${container.name} has no image`);
  const env = await makeEnvironmentVariables({
    pod, container, source: i.source,
    podIP: i.podIP, podIPs: i.podIPs, hostIP: i.hostIP, hostIPs: i.hostIPs ?? (i.hostIP ? [i.hostIP] : []), nodeName: i.nodeName,
    allocatable: i.nodeAllocatable ?? machineAllocatable(), serviceEnv: i.serviceEnv,
  });
  const { command, args } = expandCommandAndArgs(container, env);
  let linux;
  try {
    linux = {
      resources: containerResources(pod, container, i.memoryCapacity ?? totalmem()),
      securityContext: containerSecurityContext(pod, container, i.imageUser),
    };
  } catch (e) {
    if (e instanceof ContainerConfigError) throw e;
    throw new ContainerConfigError(`container ${container.name}: ${(e as Error).message}`);
  }
  const cfg: ContainerConfig = {
    metadata: { name: container.name, attempt: restartCount },
    image: { image: i.imageRef || container.image },
    envs: [...env].map(([key, value]) => ({ key, value })),
    mounts: i.mounts,
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, restartCount),
    logPath: containerLogPath(container.name, restartCount),
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    tty: container.tty === true,
    linux,
  };
  if (command) cfg.command = command;
  if (args) cfg.args = args;
  if (container.workingDir) cfg.workingDir = container.workingDir;
  return cfg;
}
