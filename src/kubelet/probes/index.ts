/**
 * @module Container probes for the node agent: the ProbeManager and its event reasons.
 */
export { ProbeManager, type ProbeManagerOptions, type ProbedContainer } from './manager.js';
export { ContainerUnhealthy, ContainerProbeWarning, type ProbeType } from './prober.js';
export { ProbeUserAgent } from './http-probe.js';
