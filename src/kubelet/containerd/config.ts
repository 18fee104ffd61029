/**
 * @module The containerd 1.6 config (version 2) for one instance that tugboat owns, rooted at one
 * directory, so that several instances (one per simulated node) run side by side on one machine.
 */
import { join } from 'node:path';

export interface ContainerdLayout {
  /** The instance's directory (DATA_DIR/containerd for `tug server`). */
  dir: string;
  /** Content store, snapshots, metadata. */
  root: string;
  /** Sockets' neighbours: task state, sandbox netns mounts, fifos. */
  state: string;
  /** The grpc socket (CRI and containerd's own API). */
  socket: string;
  ttrpcSocket: string;
  /** runc's state (`runc --root`). */
  runcRoot: string;
  /** CNI conflists containerd reads unless told another dir (the first one wins). */
  cniConfDir: string;
  configFile: string;
  logFile: string;
}

export function containerdLayout(dir: string): ContainerdLayout {
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    ttrpcSocket: join(dir, 'containerd.sock.ttrpc'),
    runcRoot: join(dir, 'runc'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    configFile: join(dir, 'config.toml'),
    logFile: join(dir, 'containerd.log'),
  };
}

export interface ContainerdConfigOptions {
  /** Absolute path of the instance's directory. */
  dir: string;
  /** CRI's sandbox ("pause") image: must be imported locally, nothing is pulled. */
  sandboxImage: string;
  /** Where the CNI plugins live (Debian's containernetworking-plugins: /usr/lib/cni). */
  cniBinDir?: string;
  /** The CNI conf_dir (default DIR/cni/net.d). */
  cniConfDir?: string;
  /** containerd's log level (info when omitted). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Plugins this node never uses. Leaving them out makes start-up faster and the log quiet (the
 * btrfs/zfs/devmapper/aufs snapshotters each log why they cannot load on this filesystem).
 */
export const DISABLED_PLUGINS = [
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
] as const;

/** Renders config.toml. Paths are made absolute by the caller; strings are TOML-quoted here. */
export function renderContainerdConfig(o: ContainerdConfigOptions): string {
  if (!o.dir.startsWith('/')) throw new Error(`containerd dir must be an absolute path, got "${o.dir}"`);
  if (!o.sandboxImage) throw new Error('containerd config: sandboxImage is required');
  const l = containerdLayout(o.dir);
  const q = tomlString;
  return `# Written by tugboat for its own containerd; rewritten on every start.
version = 2
root = ${q(l.root)}
state = ${q(l.state)}
disabled_plugins = [${DISABLED_PLUGINS.map(q).join(', ')}]

[grpc]
  address = ${q(l.socket)}

[ttrpc]
  address = ${q(l.ttrpcSocket)}

[debug]
  level = ${q(o.logLevel ?? 'info')}

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = ${q(join(o.dir, 'opt'))}

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = ${q(o.sandboxImage)}
    # Required here: root lacks CAP_SYS_RESOURCE, and without it every RunPodSandbox fails in runc.
    restrict_oom_score_adj = true
    # Sandbox network namespaces live under this instance's state, not in the shared /var/run/netns.
    netns_mounts_under_state_dir = true
    # Port 0: the kernel picks a free port, so several instances never collide.
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_tls_streaming = false

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = ${q(o.cniBinDir ?? '/usr/lib/cni')}
      conf_dir = ${q(o.cniConfDir ?? l.cniConfDir)}
      max_conf_num = 1

    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          # cgroupfs: there is no systemd here and the machine runs cgroup v1.
          SystemdCgroup = false
          Root = ${q(l.runcRoot)}
`;
}

/** A TOML basic string. */
function tomlString(s: string): string {
  return JSON.stringify(s);
}
