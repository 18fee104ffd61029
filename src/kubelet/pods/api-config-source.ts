/**
 * @module The ConfigMaps and Secrets pods name (env, envFrom, volumes, pull secrets), read from
 * the API when a container starts or a volume refreshes — the kubelet's "Get" strategy, which
 * costs no watch or cache for objects no pod on this node uses.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import type { ConfigSourceLike } from './deps.js';

export class APIConfigSource implements ConfigSourceLike {
  constructor(private readonly client: Client) {}

  configMap(namespace: string, name: string): Promise<Obj | undefined> { return this.get('ConfigMap', namespace, name); }

  secret(namespace: string, name: string): Promise<Obj | undefined> { return this.get('Secret', namespace, name); }

  private async get(kind: string, namespace: string, name: string): Promise<Obj | undefined> {
    try {
      return await this.client.get(ref(kind, namespace), name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
