/**
 * @module The pure translation of pods into CRI configs that the pod worker uses: sandbox and
 * container configs, QoS, the config source interface, and pod cgroup clean-up.
 */
export { buildSandboxConfig, podLogDirectory, type SandboxConfigOptions } from './sandbox-config.js';
export { buildContainerConfig, containerLogPath, type ContainerConfigInput } from './container-config.js';
export { ContainerConfigError, CreateContainerConfigError } from './errors.js';
export { qosClass, type QOSClass } from './qos.js';
export type { ConfigSource } from './config-source.js';
export { removePodCgroups, listPodCgroups, podCgroupParent } from './cgroups.js';
export { Annotations, containerHash } from './labels.js';
export type { DNSOptions } from './dns.js';
export type { NodeAllocatable } from './resource-field.js';
