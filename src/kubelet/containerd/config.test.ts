import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdLayout, renderContainerdConfig } from './config.js';

test('containerd 1.6 reads every setting where tugboat put it (config dump of the rendered file)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tug-ctd-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const l = containerdLayout(dir);
  writeFileSync(l.configFile, renderContainerdConfig({ dir, sandboxImage: 'tugboat.local/pause:1', cniConfDir: join(dir, 'net.d') }));
  // `config dump` prints the merged config: a misspelt key would show the default instead.
  const dump = execFileSync('/usr/bin/containerd', ['--config', l.configFile, 'config', 'dump'], { encoding: 'utf8' });
  const section = (name: string) => {
    const start = dump.indexOf(`[${name}]`);
    assert.ok(start >= 0, `no [${name}] in dump`);
    const next = dump.indexOf('\n  [', start + name.length + 2);
    return dump.slice(start, next < 0 ? undefined : next);
  };
  const want: [string, RegExp][] = [
    ['', new RegExp(`^root = "${l.root}"$`, 'm')],
    ['', new RegExp(`^state = "${l.state}"$`, 'm')],
    ['grpc', new RegExp(`address = "${l.socket}"`)],
    ['ttrpc', new RegExp(`address = "${l.ttrpcSocket}"`)],
    ['plugins."io.containerd.internal.v1.opt"', new RegExp(`path = "${dir}/opt"`)],
    ['plugins."io.containerd.grpc.v1.cri"', /restrict_oom_score_adj = true/],
    ['plugins."io.containerd.grpc.v1.cri"', /netns_mounts_under_state_dir = true/],
    ['plugins."io.containerd.grpc.v1.cri"', /sandbox_image = "tugboat.local\/pause:1"/],
    ['plugins."io.containerd.grpc.v1.cri"', /stream_server_port = "0"/],
    ['plugins."io.containerd.grpc.v1.cri".cni', /bin_dir = "\/usr\/lib\/cni"/],
    ['plugins."io.containerd.grpc.v1.cri".cni', new RegExp(`conf_dir = "${dir}/net.d"`)],
    ['plugins."io.containerd.grpc.v1.cri".cni', /max_conf_num = 1/],
    ['plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options', new RegExp(`Root = "${l.runcRoot}"`)],
    ['plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options', /SystemdCgroup = false/],
  ];
  for (const [name, re] of want) assert.match(name ? section(name) : dump, re, `${name}: ${re}`);
  assert.match(dump, /disabled_plugins = \[.*"io.containerd.snapshotter.v1.btrfs".*\]/);
});

test('a relative dir or a missing sandbox image is refused', () => {
  assert.throws(() => renderContainerdConfig({ dir: 'relative', sandboxImage: 'x:1' }), /must be an absolute path/);
  assert.throws(() => renderContainerdConfig({ dir: '/abs', sandboxImage: '' }), /sandboxImage is required/);
});
