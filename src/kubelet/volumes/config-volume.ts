/**
 * @module The files of configMap, secret, downwardAPI and projected volumes (the kubelet's
 * MakePayload and CollectData for each plugin): all keys or the listed items, defaultMode or
 * the item's mode, optional sources, and the error texts the kubelet reports.
 */
import type { Obj } from '../../client/client.js';
import { configMapData, secretData, type ConfigSource } from '../spec/config-source.js';
import { extractFieldPathAsString } from '../spec/field-path.js';
import { podResourceValue, type NodeAllocatable } from '../spec/resource-field.js';
import type { Payload } from './atomic-writer.js';

/** The kubelet's default for configMap, secret, downwardAPI and projected files (0644). */
export const DefaultMode = 0o644;

interface KeySource { items?: Obj[]; optional?: boolean }

/** MakePayload: every key, or the items (a missing key is an error unless optional). */
function keysPayload(data: Map<string, Buffer>, src: KeySource, defaultMode: number, missingKey: (k: string) => string): Payload {
  const payload: Payload = new Map();
  if (!src.items?.length) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return payload;
  }
  for (const item of src.items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (src.optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
  return payload;
}

export class ConfigPayloads {
  constructor(private readonly source: ConfigSource, private readonly allocatable: NodeAllocatable) {}

  /** configMap volume or projection. Throws Error: `configmap "x" not found`, a missing key. */
  async configMap(namespace: string, src: Obj, defaultMode: number): Promise<Payload> {
    const cm = await this.source.configMap(namespace, src.name);
    if (!cm && !src.optional) throw new Error(`configmap "${src.name}" not found`);
    return keysPayload(cm ? configMapData(cm) : new Map(), src, defaultMode, (k) => `configmap references non-existent config key: ${k}`);
  }

  /** secret volume (secretName) or projection (name). Throws Error: `secret "x" not found`, a missing key. */
  async secret(namespace: string, src: Obj, defaultMode: number): Promise<Payload> {
    const name = src.secretName ?? src.name;
    const secret = await this.source.secret(namespace, name);
    if (!secret && !src.optional) throw new Error(`secret "${name}" not found`);
    return keysPayload(secret ? secretData(secret) : new Map(), src, defaultMode, (k) => `references non-existent secret key: ${k}`);
  }

  /** downwardAPI items: metadata fields and container resources. Throws one Error for all bad items. */
  downwardAPI(pod: Obj, items: Obj[] | undefined, defaultMode: number): Payload {
    const payload: Payload = new Map();
    const errors: string[] = [];
    for (const item of items ?? []) {
      try {
        const text = item.fieldRef
          ? extractFieldPathAsString(pod, String(item.fieldRef.fieldPath ?? ''))
          : item.resourceFieldRef ? podResourceValue(item.resourceFieldRef, pod, this.allocatable) : '';
        payload.set(item.path, { data: Buffer.from(text, 'utf8'), mode: item.mode ?? defaultMode });
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new Error(aggregate(errors));
    return payload;
  }

  /**
   * projected sources in order (a later one wins a path). serviceAccountToken and
   * clusterTrustBundle projections are left out: this node does not mint tokens yet.
   */
  async projected(pod: Obj, src: Obj): Promise<Payload> {
    const namespace = pod.metadata?.namespace ?? '';
    const defaultMode = src.defaultMode ?? DefaultMode;
    const payload: Payload = new Map();
    const errors: string[] = [];
    for (const s of src.sources ?? []) {
      try {
        let part: Payload | undefined;
        if (s.configMap) part = await this.configMap(namespace, s.configMap, defaultMode);
        else if (s.secret) part = await this.secret(namespace, s.secret, defaultMode);
        else if (s.downwardAPI) part = this.downwardAPI(pod, s.downwardAPI.items, defaultMode);
        for (const [k, v] of part ?? []) payload.set(k, v);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new Error(aggregate(errors));
    return payload;
  }
}

/** utilerrors.NewAggregate's text: the one message, or `[a, b]`. */
const aggregate = (messages: string[]) => (messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
