/**
 * @module `tug reset`: removes what a node agent left on the host after its server stopped — every
 * pod sandbox and container (through CRI, so CNI releases the IPs and veths), the bridge, the
 * pods' nftables masquerade table, the service proxy's table, the host-gw routes to other nodes, their cgroups, volume mounts, volume and log directories — then
 * stops the containerd it had to start. The cluster's state (the store, certificates) stays: it is
 * the API's, not the node's.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { deleteBridge } from './cni/cleanup.js';
import { removeMasquerade } from './cni/masquerade.js';
import { startContainerd } from './containerd/supervisor.js';
import { CRIClient } from './cri/client.js';
import { readAgentLayout } from './layout.js';
import { removePodRoutes } from './network/routes.js';
import { removeProxyTable } from '../proxy/index.js';
import { removePodCgroups } from './spec/cgroups.js';

export interface ResetReport { sandboxes: number; containers: number }

export async function resetNode(dataDir: string, log: (m: string) => void = () => {}): Promise<ResetReport> {
  const layout = readAgentLayout(dataDir);
  // A containerd left running by a killed server is replaced by a fresh one (the pods survive that).
  const started = layout.managedContainerd ? await startContainerd({ dir: layout.containerdDir, cniConfDir: layout.cniConfDir }) : undefined;
  const report: ResetReport = { sandboxes: 0, containers: 0 };
  const cri = new CRIClient(layout.runtimeEndpoint);
  try {
    for (const c of await cri.listContainers()) {
      await cri.stopContainer(c.id, 0).catch(() => {});
      await cri.removeContainer(c.id);
      report.containers++;
    }
    for (const s of await cri.listPodSandbox()) {
      await cri.stopPodSandbox(s.id);
      await cri.removePodSandbox(s.id);
      report.sandboxes++;
    }
  } finally {
    cri.close();
    await started?.stop();
  }
  log(`removed ${report.sandboxes} pod sandboxes and ${report.containers} containers`);
  await deleteBridge(layout.bridge);
  await removeMasquerade(layout.bridge);
  await removePodRoutes();
  // A layout written before the proxy existed names no table.
  if (layout.proxyTable) await removeProxyTable(layout.proxyTable);
  await removePodCgroups(layout.cgroupRoot);
  unmountUnder(layout.rootDir);
  await rm(join(layout.rootDir, 'pods'), { recursive: true, force: true });
  await rm(layout.logRoot, { recursive: true, force: true });
  await rm(join(layout.cniDataDir, layout.cniNetwork), { recursive: true, force: true });
  return report;
}

/** Unmounts every mount point under dir (tmpfs volumes), deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
    .map((p) => p.replace(/\\040/g, ' ')).filter((p) => p === dir || p.startsWith(dir + '/'));
  for (const m of mounts.sort().reverse()) spawnSync('umount', ['-l', m]);
}
