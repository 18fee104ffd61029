import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestContainerd } from '../../test/support/containerd.js';
import { masqueradeInstalled, installMasquerade, removeMasquerade } from './cni/masquerade.js';
import { CRIClient } from './cri/client.js';
import { agentLayout, writeAgentLayout } from './layout.js';
import { resetNode } from './reset.js';

test('tug reset removes the pods, the bridge and the masquerade table of a node whose runtime was given', async () => {
  const c = await startTestContainerd();
  const dataDir = join(c.dir, 'data');
  const layout = { ...agentLayout({ dataDir, nodeName: 'n1', runtimeEndpoint: c.endpoint, bridge: c.bridge,
    cgroupRoot: `/tugboat-reset-test-${process.pid}` }), subnet: c.subnet, cniDataDir: c.cniDataDir };
  const cri = new CRIClient(c.endpoint);
  try {
    mkdirSync(layout.rootDir, { recursive: true });
    writeAgentLayout(dataDir, layout);
    await installMasquerade(layout.bridge, c.subnet);
    await cri.runPodSandbox({ metadata: { name: 'p', uid: 'uid-r', namespace: 'default', attempt: 0 }, hostname: 'p', logDirectory: c.logDir, labels: {}, annotations: {} });

    const report = await resetNode(dataDir);
    assert.deepEqual(report, { sandboxes: 1, containers: 0 });
    assert.deepEqual(await cri.listPodSandbox(), []);
    assert.equal(await masqueradeInstalled(layout.bridge), false);
    assert.equal(existsSync(`/sys/class/net/${layout.bridge}`), false);
  } finally {
    cri.close();
    await removeMasquerade(layout.bridge);
    await c.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
