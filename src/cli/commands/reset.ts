/**
 * @module `tug reset`: after `tug server` stopped, removes its node's pods, bridge, cgroups and pod
 * directories from this machine (kubeadm reset / k3s-killall). The cluster state stays.
 */
import { Command } from 'commander';
import { resetNode } from '../../kubelet/reset.js';
import { DEFAULT_DATA_DIR } from '../defaults.js';

export function resetCommand(): Command {
  return new Command('reset')
    .description('remove the pods, bridge and cgroups the node agent left on this machine (run after the server stopped)')
    .option('--data-dir <dir>', 'the data dir of the server whose node to reset', DEFAULT_DATA_DIR)
    .action(async (flags: { dataDir: string }) => {
      await resetNode(flags.dataDir, (m) => console.log(m));
    });
}
