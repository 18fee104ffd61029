/**
 * @module Container lifecycle hooks (postStart, preStop) as the kubelet's handler runner: exec in
 * the container through CRI, httpGet against the pod (host defaults to the pod IP, named ports
 * resolve through the container's ports), or sleep; failures come back as the kubelet's message.
 */
import type { Obj } from '../../client/client.js';
import type { RuntimeService } from '../cri/types.js';
import { rpcErrorString } from './cri-errors.js';

/** format.Pod: "name_namespace(uid)". */
export const formatPod = (pod: Obj) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

export interface HookTarget { pod: Obj; container: Obj; containerId: string; podIP: string }

/** Resolves an IntOrString port against the container's named ports; undefined when it names none. */
export function resolvePort(port: unknown, container: Obj): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return (container.ports ?? []).find((p: Obj) => p.name === port)?.containerPort;
}

export class HookRunner {
  constructor(private readonly runtime: Pick<RuntimeService, 'execSync'>) {}

  /** Runs `handler`; resolves to undefined on success, or the failure message. Never rejects. */
  async run(t: HookTarget, handler: Obj, timeoutSeconds: number): Promise<string | undefined> {
    const { pod, container } = t;
    if (handler.exec) {
      const cmd: string[] = handler.exec.command ?? [];
      let output = '';
      let err: string | undefined;
      try {
        const r = await this.runtime.execSync(t.containerId, cmd, Math.max(1, Math.ceil(timeoutSeconds)));
        output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
        if (r.exitCode !== 0) err = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}`;
      } catch (e) {
        err = rpcErrorString(e);
      }
      return err === undefined ? undefined
        : `Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${container.name}" in Pod "${formatPod(pod)}" failed - error: ${err}, message: ${JSON.stringify(output)}`;
    }
    if (handler.httpGet) {
      const h = handler.httpGet;
      const path: string = h.path ?? '';
      const fail = (why: string) => `HTTP lifecycle hook (${path}) for Container "${container.name}" in Pod "${formatPod(pod)}" failed - error: ${why}`;
      const port = resolvePort(h.port, container);
      if (port === undefined) return fail(`couldn't find port: ${JSON.stringify(h.port)} in ${JSON.stringify(container.ports ?? [])}`);
      const host = h.host || t.podIP;
      const url = `${(h.scheme ?? 'HTTP').toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
      const headers: Record<string, string> = {};
      for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(Math.max(1, timeoutSeconds) * 1000), redirect: 'follow' });
        await res.arrayBuffer();
        if (res.status < 200 || res.status >= 400) return fail(`HTTP lifecycle hook returned status code ${res.status}`);
        return undefined;
      } catch (e) {
        const cause = (e as { cause?: Error }).cause;
        return fail(cause?.message ?? (e as Error).message);
      }
    }
    if (handler.sleep) {
      const ms = Math.min(Number(handler.sleep.seconds) || 0, timeoutSeconds) * 1000;
      await new Promise((r) => setTimeout(r, ms));
      return undefined;
    }
    return `Cannot run handler: invalid handler: ${JSON.stringify(handler)}`;
  }
}
