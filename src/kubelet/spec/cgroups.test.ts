/**
 * @module Pod cgroup listing and removal, on a directory tree standing in for /sys/fs/cgroup and
 * on the machine's real cgroup v1 hierarchies (a private root, removed afterwards).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listPodCgroups, podCgroupParent, removePodCgroups } from './cgroups.js';

test('list and remove pod cgroups in every hierarchy, deepest first, missing ones ignored', async () => {
  const fs = await mkdtemp(join(tmpdir(), 'tug-cgfs-'));
  try {
    for (const h of ['cpu,cpuacct', 'memory', 'pids']) {
      await mkdir(join(fs, h, 'tug/burstable/poda/sandbox1/x'), { recursive: true });
      await mkdir(join(fs, h, 'tug/podb/c1'), { recursive: true });
    }
    await mkdir(join(fs, 'memory/tug/besteffort/podc'), { recursive: true });
    await mkdir(join(fs, 'memory/tug/besteffort/other'), { recursive: true });
    assert.deepEqual(await listPodCgroups('/tug', fs), ['/tug/besteffort/podc', '/tug/burstable/poda', '/tug/podb']);
    await removePodCgroups('/tug/burstable/poda', fs);
    await removePodCgroups('/tug/besteffort/podc', fs);
    await removePodCgroups('/tug/besteffort/podc', fs);
    assert.deepEqual(await listPodCgroups('/tug', fs), ['/tug/podb']);
    assert.deepEqual(await readdir(join(fs, 'memory/tug/burstable')), []);
  } finally {
    await rm(fs, { recursive: true, force: true });
  }
});

test('a parent that would reach outside the pod is refused', async () => {
  await assert.rejects(removePodCgroups('/'), /refusing to remove cgroup "\/"/);
  await assert.rejects(removePodCgroups('/a/../..'), /refusing to remove cgroup/);
});

test('podCgroupParent names the QoS level', () => {
  const pod = { metadata: { uid: 'abc' }, spec: { containers: [{ name: 'c' }] } };
  assert.equal(podCgroupParent(pod, '/kubepods'), '/kubepods/besteffort/podabc');
});

const pids = '/sys/fs/cgroup/pids';
test('real cgroups: a busy pod cgroup is reported, then removed once its process is gone', { skip: !existsSync(join(pids, 'cgroup.procs')) && 'no cgroup v1 pids hierarchy' }, async () => {
  const root = `tug-test-${process.pid}-${Date.now()}`;
  const parent = `/${root}/burstable/pod-u1`;
  const hierarchies = ['pids', 'memory'].map((h) => join('/sys/fs/cgroup', h)).filter((h) => existsSync(h));
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    for (const h of hierarchies) await mkdir(join(h, parent, 'sandbox'), { recursive: true });
    await writeFile(join(pids, parent, 'sandbox', 'cgroup.procs'), String(sleeper.pid));
    assert.deepEqual(await listPodCgroups(`/${root}`), [parent]);
    await assert.rejects(removePodCgroups(parent), /could not remove pod cgroups: \/sys\/fs\/cgroup\/pids\/.*EBUSY/);
    const exited = new Promise((r) => sleeper.once('exit', r));
    sleeper.kill('SIGKILL');
    await exited;
    await removePodCgroups(parent);
    assert.deepEqual(await listPodCgroups(`/${root}`), []);
  } finally {
    if (sleeper.exitCode === null && sleeper.signalCode === null) {
      const gone = new Promise((r) => sleeper.once('exit', r));
      sleeper.kill('SIGKILL');
      await gone;
    }
    for (const h of hierarchies) {
      for (const d of [join(parent, 'sandbox'), parent, `/${root}/burstable`, `/${root}`]) await rmdir(join(h, d)).catch(() => {});
    }
  }
});
