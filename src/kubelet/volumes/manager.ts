/**
 * @module The node agent's volume manager: sets up a pod's volumes under
 * `<rootDir>/pods/<uid>/volumes/<plugin>/<name>` before its containers start, tells the pod
 * worker which CRI mounts each container gets (subPath, readOnly, propagation, a managed
 * /etc/hosts), refreshes configMap/secret/projected/downwardAPI contents atomically when they
 * change, and tears everything down (tmpfs included) when the pod is gone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Obj } from '../../client/client.js';
import type { Mount } from '../cri/types.js';
import type { ConfigSource } from '../spec/config-source.js';
import { ContainerConfigError } from '../spec/errors.js';
import { podHostnameAndDomain } from '../spec/hostname.js';
import { machineAllocatable, type NodeAllocatable } from '../spec/resource-field.js';
import { writeAtomically, type Payload } from './atomic-writer.js';
import { ConfigPayloads, DefaultMode } from './config-volume.js';
import { setUpEmptyDir } from './empty-dir.js';
import { VolumeError, setUpFailed, type VolumeFailure } from './errors.js';
import { hostNetworkHostsFile, managedHostsFile } from './etc-hosts.js';
import { checkHostPathType } from './host-path.js';
import { mountsUnder, unmount } from './mount.js';
import { mountSubPath, prepareSubPath } from './sub-path.js';

export interface VolumeManagerOptions {
  /** DATA_DIR/kubelet: pods' directories are `<rootDir>/pods/<uid>`. */
  rootDir: string;
  source: ConfigSource;
  /** node.status.allocatable for downwardAPI resourceFieldRef without limits; default this machine's. */
  nodeAllocatable?: NodeAllocatable;
  /** For the pod's FQDN in /etc/hosts (spec.subdomain); default cluster.local. */
  clusterDomain?: string;
  /** The node's hosts file that hostNetwork pods see; default /etc/hosts. */
  nodeHostsFile?: string;
}

/** The kubelet's plugin directory names. */
export const PluginDirs = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  projected: 'kubernetes.io~projected',
  downwardAPI: 'kubernetes.io~downward-api',
} as const;
type Plugin = keyof typeof PluginDirs;

/** Volumes whose content comes from the API and is refreshed. */
const CONFIG_PLUGINS: Plugin[] = ['configMap', 'secret', 'projected', 'downwardAPI'];
/** Volumes the kubelet always mounts read-only into containers. */
const READ_ONLY_PLUGINS = new Set<string>(CONFIG_PLUGINS);

const pluginOf = (v: Obj): Plugin | undefined => (Object.keys(PluginDirs) as Plugin[]).find((p) => v[p]);

/** The volume source a pod names that this node cannot provide, for the error text. */
const sourceName = (v: Obj) => Object.keys(v).find((k) => k !== 'name') ?? 'unknown';

const PROPAGATION: Record<string, Mount['propagation']> = {
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
  None: 'PROPAGATION_PRIVATE',
};

function podUID(pod: Obj): string {
  const uid = pod.metadata?.uid;
  if (typeof uid !== 'string' || !uid) throw new Error('pod has no metadata.uid');
  return uid;
}

const safeUID = (uid: string) => {
  if (!uid || uid.includes('/') || uid === '.' || uid === '..') throw new Error(`invalid pod uid ${JSON.stringify(uid)}`);
  return uid;
};

export class VolumeManager {
  private readonly rootDir: string;
  private readonly payloads: ConfigPayloads;
  private readonly clusterDomain: string;
  private readonly nodeHostsFile: string;

  constructor(o: VolumeManagerOptions) {
    this.rootDir = o.rootDir;
    this.payloads = new ConfigPayloads(o.source, o.nodeAllocatable ?? machineAllocatable());
    this.clusterDomain = o.clusterDomain ?? 'cluster.local';
    this.nodeHostsFile = o.nodeHostsFile ?? '/etc/hosts';
  }

  podDir(uid: string): string {
    return join(this.rootDir, 'pods', safeUID(uid));
  }

  /** Where a volume lives on the host: its plugin directory, or the hostPath itself. */
  volumePath(pod: Obj, volume: Obj): string | undefined {
    if (volume.hostPath) return volume.hostPath.path;
    const plugin = pluginOf(volume);
    return plugin && join(this.podDir(podUID(pod)), 'volumes', PluginDirs[plugin], volume.name);
  }

  /**
   * Sets up every volume of the pod; idempotent (call it on every sync). Tries them all, then
   * throws VolumeError listing each failure in the kubelet's words.
   */
  async setUpPod(pod: Obj): Promise<void> {
    const failures: VolumeFailure[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      try {
        await this.setUp(pod, v);
      } catch (e) {
        failures.push({ volume: v.name, message: setUpFailed(v.name, (e as Error).message) });
      }
    }
    if (failures.length) throw new VolumeError(failures);
  }

  private async setUp(pod: Obj, v: Obj): Promise<void> {
    if (v.hostPath) return checkHostPathType(String(v.hostPath.path ?? ''), v.hostPath.type);
    const plugin = pluginOf(v);
    if (!plugin) {
      if (v.persistentVolumeClaim) {
        throw new Error(`persistentVolumeClaim volumes are not supported on this node yet (claim "${v.persistentVolumeClaim.claimName}")`);
      }
      throw new Error(`volume type ${sourceName(v)} is not supported on this node`);
    }
    const dir = this.volumePath(pod, v)!;
    if (plugin === 'emptyDir') {
      const medium = v.emptyDir.medium ?? '';
      if (medium !== '' && medium !== 'Memory') throw new Error(`emptyDir medium ${medium} is not supported on this node`);
      return setUpEmptyDir(dir, { memory: medium === 'Memory', sizeLimit: v.emptyDir.sizeLimit });
    }
    // Read the content first: a missing ConfigMap leaves no half-made volume behind.
    const payload = await this.payload(pod, v, plugin);
    // Secrets and projected volumes live on tmpfs so that they never reach the disk.
    await setUpEmptyDir(dir, { memory: plugin === 'secret' || plugin === 'projected' });
    await writeAtomically(dir, payload);
  }

  private payload(pod: Obj, v: Obj, plugin: Plugin): Promise<Payload> | Payload {
    const ns = pod.metadata?.namespace ?? '';
    const src = v[plugin];
    switch (plugin) {
      case 'configMap': return this.payloads.configMap(ns, src, src.defaultMode ?? DefaultMode);
      case 'secret': return this.payloads.secret(ns, src, src.defaultMode ?? DefaultMode);
      case 'downwardAPI': return this.payloads.downwardAPI(pod, src.items, src.defaultMode ?? DefaultMode);
      default: return this.payloads.projected(pod, src);
    }
  }

  /**
   * Rewrites the configMap, secret, projected and downwardAPI volumes whose content changed,
   * each with one atomic swap. subPath mounts keep what they had, as in Kubernetes. Throws
   * VolumeError for sources that cannot be read; their volumes keep their old content.
   */
  async refreshPod(pod: Obj): Promise<void> {
    const failures: VolumeFailure[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      const plugin = pluginOf(v);
      if (!plugin || !CONFIG_PLUGINS.includes(plugin)) continue;
      const dir = this.volumePath(pod, v)!;
      if (!existsSync(dir)) continue;
      try {
        await writeAtomically(dir, await this.payload(pod, v, plugin));
      } catch (e) {
        failures.push({ volume: v.name, message: setUpFailed(v.name, (e as Error).message) });
      }
    }
    if (failures.length) throw new VolumeError(failures);
  }

  /**
   * The CRI mounts for one container, in volumeMounts order, then /etc/hosts. `podIPs` (default
   * status.podIPs) are written into the managed hosts file; without any there is none, as the
   * kubelet does. Throws ContainerConfigError (CreateContainerConfigError) for a mount naming
   * no volume, a bad subPath or Bidirectional propagation in an unprivileged container.
   */
  mountsFor(pod: Obj, container: Obj, podIPs?: string[]): Mount[] {
    const ips = podIPs ?? (pod.status?.podIPs ?? []).map((p: Obj) => p.ip).filter(Boolean);
    const volumes = new Map<string, Obj>((pod.spec?.volumes ?? []).map((v: Obj) => [v.name, v]));
    const mounts: Mount[] = [];
    let hasEtcHosts = false;
    for (const m of container.volumeMounts ?? []) {
      const v = volumes.get(m.name);
      const base = v && this.volumePath(pod, v);
      if (!base) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
      if (m.mountPath === '/etc/hosts') hasEtcHosts = true;
      const subPath = mountSubPath(pod, container, m, ips);
      const hostPath = subPath ? prepareSubPath(base, subPath, m.name, container.name) : base;
      const propagation = PROPAGATION[m.mountPropagation ?? 'None'] ?? 'PROPAGATION_PRIVATE';
      if (propagation === 'PROPAGATION_BIDIRECTIONAL' && container.securityContext?.privileged !== true) {
        throw new ContainerConfigError('Bidirectional mount propagation is available only to privileged containers');
      }
      mounts.push({
        containerPath: m.mountPath,
        hostPath,
        readonly: m.readOnly === true || READ_ONLY_PLUGINS.has(pluginOf(v) ?? ''),
        selinuxRelabel: false,
        propagation,
      });
    }
    if (!hasEtcHosts && ips.length) mounts.push({ containerPath: '/etc/hosts', hostPath: this.writeHostsFile(pod, ips), readonly: false });
    return mounts;
  }

  private writeHostsFile(pod: Obj, ips: string[]): string {
    const dir = this.podDir(podUID(pod));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'etc-hosts');
    let content: string;
    if (pod.spec?.hostNetwork) {
      content = hostNetworkHostsFile(readFileSync(this.nodeHostsFile, 'utf8'), pod.spec?.hostAliases);
    } else {
      let names;
      try {
        names = podHostnameAndDomain(pod, this.clusterDomain);
      } catch (e) {
        throw new ContainerConfigError((e as Error).message);
      }
      content = managedHostsFile(ips, names.hostname, names.domain, pod.spec?.hostAliases);
    }
    writeFileSync(file, content, { mode: 0o644 });
    chmodSync(file, 0o644);
    return file;
  }

  /**
   * Unmounts what is mounted under the pod's directory (tmpfs volumes), deepest first, and
   * removes the directory. Never removes while something is still mounted there: rejects instead.
   */
  async tearDownPod(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    for (const m of await mountsUnder(dir)) await unmount(m);
    const left = await mountsUnder(dir);
    if (left.length) throw new Error(`pod ${uid}: still mounted after unmount: ${left.join(', ')}`);
    await rm(dir, { recursive: true, force: true });
  }

  /** The uids that have a directory under `<rootDir>/pods`, for orphan clean-up. */
  async podDirs(): Promise<string[]> {
    const entries = await readdir(join(this.rootDir, 'pods'), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }
}
