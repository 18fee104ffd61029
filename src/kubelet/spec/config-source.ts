/**
 * @module Where the node agent reads the ConfigMaps and Secrets that pods name, for env, envFrom
 * and volumes. The kubelet passes one backed by its informers; tests pass a plain map.
 */
import type { Obj } from '../../client/client.js';

export interface ConfigSource {
  /** The ConfigMap, or undefined when it does not exist. Other failures (API unreachable) reject. */
  configMap(namespace: string, name: string): Promise<Obj | undefined>;
  /** The Secret (its `data` values base64 as in the API), or undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Obj | undefined>;
}

/** The bytes of every key of a Secret's `data` (base64 in the API). */
export function secretData(secret: Obj): Map<string, Buffer> {
  return new Map(Object.entries<string>(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** The bytes of every key of a ConfigMap: `data` as UTF-8 and `binaryData` (base64 in the API). */
export function configMapData(cm: Obj): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries<string>(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries<string>(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}
