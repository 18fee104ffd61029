/**
 * @module Runs one probe of a container (the kubelet's prober.probe): picks the handler (exec,
 * httpGet, tcpSocket, grpc), resolves named ports and the host, retries a probe that errored up
 * to three times, and records the Warning events the kubelet records ("Liveness probe failed: …").
 */
import type { Obj } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { RuntimeService } from '../cri/types.js';
import { expand, mappingFuncFor } from '../spec/expansion.js';
import { execProbe } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe } from './http-probe.js';
import type { ProbeOutcome } from './result.js';
import { tcpProbe } from './tcp-probe.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** Event reasons, as pkg/kubelet/events names them. */
export const ContainerUnhealthy = 'Unhealthy';
export const ContainerProbeWarning = 'ProbeWarning';

const MaxProbeRetries = 3;

export interface ProbeTarget {
  pod: Obj;
  container: Obj;
  containerId: string;
  podIP: string;
}

/** probe.ResolveContainerPort: a number, a named container port, or a number written as a string. Throws Error. */
export function resolvePort(port: unknown, container: Obj): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = (container.ports ?? []).find((p: Obj) => p.name === port);
    if (named) n = Number(named.containerPort);
    else if (typeof port === 'string' && /^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`port ${String(port)} not found`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** kubecontainer.ExpandContainerCommandOnlyStatic: $(VAR) from the container's literal env values. */
function expandStatic(cmd: string[], container: Obj): string[] {
  const env = new Map<string, string>((container.env ?? []).map((e: Obj) => [e.name, e.value ?? '']));
  const mapping = mappingFuncFor(env);
  return cmd.map((c) => expand(String(c), mapping));
}

export interface ProberOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  recorder?: EventRecorder;
  /** Length of one probe "second" in ms (timeouts); 1000 except in tests. */
  secondMs: number;
}

export class Prober {
  constructor(private readonly o: ProberOptions) {}

  /** One attempt of the handler. */
  private runOnce(spec: Obj, t: ProbeTarget): Promise<ProbeOutcome> {
    const timeoutSeconds = spec.timeoutSeconds || 1;
    const timeoutMs = timeoutSeconds * this.o.secondMs;
    try {
      if (spec.exec) {
        return execProbe(this.o.runtime, t.containerId, expandStatic(spec.exec.command ?? [], t.container), timeoutSeconds, timeoutMs + this.o.secondMs);
      }
      if (spec.httpGet) {
        const h = spec.httpGet;
        const scheme = String(h.scheme || 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
        return httpProbe({ scheme, host: h.host || t.podIP, port: resolvePort(h.port, t.container), path: h.path ?? '', headers: h.httpHeaders ?? [] }, timeoutMs);
      }
      if (spec.tcpSocket) return tcpProbe(spec.tcpSocket.host || t.podIP, resolvePort(spec.tcpSocket.port, t.container), timeoutMs);
      if (spec.grpc) return grpcProbe(t.podIP, resolvePort(spec.grpc.port, t.container), spec.grpc.service ?? '', timeoutMs);
    } catch (e) {
      return Promise.resolve({ result: 'error', error: (e as Error).message });
    }
    return Promise.resolve({ result: 'error', error: `missing probe handler for ${t.pod.metadata?.namespace}/${t.pod.metadata?.name}:${t.container.name}` });
  }

  /** runProbeWithRetries, then the event: failure and error are Unhealthy, warning is ProbeWarning. */
  async probe(type: ProbeType, spec: Obj, t: ProbeTarget): Promise<ProbeOutcome> {
    let outcome: ProbeOutcome = { result: 'error', error: 'not run' };
    for (let i = 0; i < MaxProbeRetries; i++) {
      outcome = await this.runOnce(spec, t);
      if (outcome.result !== 'error') break;
    }
    const Type = type[0].toUpperCase() + type.slice(1);
    if (outcome.result === 'error') this.event(t.pod, ContainerUnhealthy, `${Type} probe errored: ${outcome.error}`);
    if (outcome.result === 'failure') this.event(t.pod, ContainerUnhealthy, `${Type} probe failed: ${outcome.output}`);
    if (outcome.result === 'warning') this.event(t.pod, ContainerProbeWarning, `${Type} probe warning: ${outcome.output}`);
    return outcome;
  }

  private event(pod: Obj, reason: string, message: string): void {
    // Events are about the pod; kind and apiVersion may be missing on objects from a typed list.
    this.o.recorder?.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Warning', reason, message);
  }
}
