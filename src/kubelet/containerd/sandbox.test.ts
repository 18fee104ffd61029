import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startTestContainerd } from '../../../test/support/containerd.js';
import { listIPReservations } from '../cni/cleanup.js';
import { CRIClient } from '../cri/client.js';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import { SANDBOX_IMAGE, TEST_IMAGE } from '../images/names.js';

const natRulesNaming = (id: string) => (spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.includes(id)).length;
const mountsUnder = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(`${dir}/`)).length;
const shimsOf = (socket: string) => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('containerd-shim') && l.includes(socket)).length;

test('a pod on the node\'s containerd: local images by name, an IP from the subnet, HTTP to it; stop() leaves nothing', async () => {
  const c = await startTestContainerd();
  const cri = new CRIClient(c.endpoint);
  let sandboxId = '';
  try {
    for (const ref of [SANDBOX_IMAGE, TEST_IMAGE]) assert.deepEqual((await cri.imageStatus({ image: ref }))?.repoTags, [ref]);

    const sb: PodSandboxConfig = { metadata: { name: 'web', uid: 'uid-1', namespace: 'default', attempt: 0 }, hostname: 'web', logDirectory: c.logDir, labels: {}, annotations: {} };
    sandboxId = await cri.runPodSandbox(sb);
    const ip = (await cri.podSandboxStatus(sandboxId)).network?.ip ?? '';
    assert.ok(ip.startsWith(c.subnet.replace(/0\/24$/, '')), `pod IP ${ip} in ${c.subnet}`);
    assert.deepEqual((await listIPReservations(c.cniDataDir)).map((r) => [r.ip, r.containerId]), [[ip, sandboxId]]);

    const web: ContainerConfig = {
      metadata: { name: 'httpd', attempt: 0 }, image: { image: TEST_IMAGE }, logPath: 'httpd.log',
      command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
    };
    await cri.startContainer(await cri.createContainer(sandboxId, web, sb));
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.text(), () => '');
      if (!body) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(body.trim(), 'web');
    // The node's one nftables rule masquerades the subnet: no iptables rules per pod.
    assert.equal(natRulesNaming(sandboxId), 0, 'no per-pod nat rules');
  } finally {
    cri.close();
    // The pod is still running: stop() must take it down with everything it holds on the host.
    await c.stop();
  }
  assert.equal(natRulesNaming(sandboxId), 0, 'no nat rules left');
  assert.equal(mountsUnder(c.dir), 0, 'no netns or rootfs mounts left');
  assert.equal(shimsOf(c.endpoint.slice('unix://'.length)), 0, 'no shims left');
  assert.equal(existsSync(`/sys/class/net/${c.bridge}`), false, 'no bridge');
  assert.equal(existsSync(c.dir), false, 'no dir');
});

test('the pause sandbox stops promptly (its PID 1 ends on the runtime\'s signal)', async () => {
  const c = await startTestContainerd();
  const cri = new CRIClient(c.endpoint);
  try {
    const sb: PodSandboxConfig = { metadata: { name: 'p', uid: 'uid-2', namespace: 'default', attempt: 0 }, hostname: 'p', logDirectory: c.logDir, labels: {}, annotations: {} };
    const id = await cri.runPodSandbox(sb);
    const t0 = performance.now();
    await cri.stopPodSandbox(id);
    const ms = performance.now() - t0;
    assert.equal((await cri.podSandboxStatus(id)).state, 'SANDBOX_NOTREADY');
    assert.ok(ms < 5000, `StopPodSandbox took ${ms} ms`);
    await cri.removePodSandbox(id);
    assert.deepEqual(await listIPReservations(c.cniDataDir), []);
    console.log(`# StopPodSandbox of an idle pause sandbox: ${ms.toFixed(0)} ms`);
  } finally {
    cri.close();
    await c.stop();
  }
});
