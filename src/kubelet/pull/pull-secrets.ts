/**
 * @module imagePullSecrets as the kubelet's credential keyring reads them: secrets of type
 * kubernetes.io/dockerconfigjson (`.dockerconfigjson`: {"auths": {host: …}}) or
 * kubernetes.io/dockercfg (`.dockercfg`: {host: …}), matched against the image's registry host.
 */
import type { Obj } from '../../client/client.js';
import type { AuthConfig } from '../cri/types.js';

const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** "https://index.docker.io/v1/" → "docker.io"; "localhost:5000/x" → "localhost:5000". */
export function normalizeRegistryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0].toLowerCase();
  return dockerHubAliases.has(host) ? 'docker.io' : host;
}

interface Entry { username?: string; password?: string; auth?: string; identitytoken?: string; registrytoken?: string }

function entriesOf(secret: Obj): Record<string, Entry> {
  const data = secret.data ?? {};
  const decode = (b64: string) => JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  try {
    if (secret.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) return decode(data['.dockerconfigjson']).auths ?? {};
    if (secret.type === 'kubernetes.io/dockercfg' && data['.dockercfg']) return decode(data['.dockercfg']);
  } catch {
    // A malformed secret gives no credentials, as the kubelet's keyring ignores it.
  }
  return {};
}

/** The credentials in `secrets` for `host`, in secret order. */
export function credentialsFor(host: string, secrets: Obj[]): AuthConfig[] {
  const want = normalizeRegistryKey(host);
  const out: AuthConfig[] = [];
  for (const s of secrets) {
    for (const [key, e] of Object.entries(entriesOf(s))) {
      if (normalizeRegistryKey(key) !== want || !e || typeof e !== 'object') continue;
      let { username, password } = e;
      if (e.auth && !username) {
        const plain = Buffer.from(e.auth, 'base64').toString('utf8');
        const i = plain.indexOf(':');
        if (i > 0) [username, password] = [plain.slice(0, i), plain.slice(i + 1)];
      }
      // No serverAddress, as the kubelet's keyring: containerd parses it as a URL and refuses "host:port".
      const auth: AuthConfig = { username, password };
      if (e.identitytoken) auth.identityToken = e.identitytoken;
      if (e.registrytoken) auth.registryToken = e.registrytoken;
      out.push(auth);
    }
  }
  return out;
}
