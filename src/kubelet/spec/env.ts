/**
 * @module A container's environment as the kubelet's makeEnvironmentVariables builds it: envFrom
 * (ConfigMaps and Secrets, with prefix), then env in order (values with $(VAR) expansion against
 * what came before, configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef), then the service
 * variables the pod does not define itself. Failures throw ContainerConfigError in kubelet's words.
 */
import type { Obj } from '../../client/client.js';
import { configMapData, secretData, type ConfigSource } from './config-source.js';
import { ContainerConfigError } from './errors.js';
import { expand, mappingFuncFor } from './expansion.js';
import { podFieldSelectorRuntimeValue, type PodRuntimeFields } from './field-path.js';
import { containerResourceValue, type NodeAllocatable } from './resource-field.js';

export interface EnvInput extends PodRuntimeFields {
  pod: Obj;
  container: Obj;
  source: ConfigSource;
  allocatable: NodeAllocatable;
  /** Docker-link style service variables (FOO_SERVICE_HOST, …); the pod's own names win. */
  serviceEnv?: ReadonlyMap<string, string>;
}

/** Relaxed env var names (the 1.32 default): printable ASCII without '='. */
const isEnvVarName = (k: string) => k.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(k);

type Kind = 'configmap' | 'secret';
const title = { configmap: 'ConfigMap', secret: 'Secret' } as const;

/** Reads each ConfigMap/Secret once per container, as the kubelet caches them per call. */
class Lookups {
  private readonly cache = new Map<string, Map<string, Buffer> | undefined>();
  constructor(private readonly source: ConfigSource, private readonly namespace: string) {}

  /** The object's keys, undefined when missing and optional; throws when missing and required. */
  async get(kind: Kind, name: string, optional: boolean): Promise<Map<string, Buffer> | undefined> {
    const key = `${kind}/${name}`;
    if (!this.cache.has(key)) {
      let obj: Obj | undefined;
      try {
        obj = kind === 'configmap' ? await this.source.configMap(this.namespace, name) : await this.source.secret(this.namespace, name);
      } catch (e) {
        throw new ContainerConfigError(`couldn't get ${kind} ${this.namespace}/${name}: ${(e as Error).message}`);
      }
      // Env reads a ConfigMap's `data` only; binaryData is for volumes.
      this.cache.set(key, obj && (kind === 'configmap' ? configMapData({ data: obj.data }) : secretData(obj)));
    }
    const data = this.cache.get(key);
    if (!data && !optional) throw new ContainerConfigError(`${kind} "${name}" not found`);
    return data;
  }
}

export async function makeEnvironmentVariables(i: EnvInput): Promise<Map<string, string>> {
  const namespace = i.pod.metadata?.namespace ?? '';
  const lookups = new Lookups(i.source, namespace);
  const env = new Map<string, string>();
  const serviceEnv = i.serviceEnv ?? new Map<string, string>();

  for (const from of i.container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const data = await lookups.get(from.configMapRef ? 'configmap' : 'secret', ref.name, ref.optional === true);
    for (const [k, v] of data ?? []) {
      const name = `${from.prefix ?? ''}${k}`;
      // Upstream skips (and reports) keys that cannot be env var names instead of failing the pod.
      if (isEnvVarName(name)) env.set(name, v.toString('utf8'));
    }
  }

  const mapping = mappingFuncFor(env, serviceEnv);
  for (const e of i.container.env ?? []) {
    const value = await envValue(e, i, lookups, mapping, namespace);
    if (value !== undefined) env.set(e.name, value);
  }

  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}

/** One env entry's value; undefined when an optional reference is missing (the variable is left out). */
async function envValue(e: Obj, i: EnvInput, lookups: Lookups, mapping: (n: string) => string, namespace: string): Promise<string | undefined> {
  if (e.value) return expand(String(e.value), mapping);
  const from = e.valueFrom;
  if (!from) return '';
  try {
    if (from.fieldRef) return podFieldSelectorRuntimeValue(from.fieldRef, i.pod, i);
    if (from.resourceFieldRef) return containerResourceValue(from.resourceFieldRef, i.container, i.allocatable);
  } catch (err) {
    if (err instanceof ContainerConfigError) throw err;
    throw new ContainerConfigError((err as Error).message);
  }
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (!ref) return '';
  const kind: Kind = from.configMapKeyRef ? 'configmap' : 'secret';
  const optional = ref.optional === true;
  const data = await lookups.get(kind, ref.name, optional);
  if (!data) return undefined;
  const v = data.get(ref.key);
  if (v === undefined) {
    if (optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${title[kind]} ${namespace}/${ref.name}`);
  }
  return v.toString('utf8');
}

/** kubecontainer.ExpandContainerCommandAndArgs: $(VAR) in command and args against the final env. */
export function expandCommandAndArgs(container: Obj, env: ReadonlyMap<string, string>): { command?: string[]; args?: string[] } {
  const mapping = mappingFuncFor(env);
  const each = (xs: unknown): string[] | undefined =>
    Array.isArray(xs) && xs.length > 0 ? xs.map((x) => expand(String(x), mapping)) : undefined;
  return { command: each(container.command), args: each(container.args) };
}
