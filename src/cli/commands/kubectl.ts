/** @module `tug kubectl …`: the real kubectl with this server's admin kubeconfig, as `k3s kubectl`. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_DATA_DIR, kubeconfigPath } from '../defaults.js';

export function kubectlCommand(): Command {
  return new Command('kubectl')
    .description('run kubectl against this cluster (uses DATA_DIR/kubeconfig.yaml unless KUBECONFIG is set)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const dataDir = process.env.TUG_DATA_DIR ?? DEFAULT_DATA_DIR;
      const env = { ...process.env };
      if (!env.KUBECONFIG) {
        const path = kubeconfigPath(dataDir);
        if (!existsSync(path)) throw new Error(`no kubeconfig at ${path}: start the cluster with 'tug server' (or set TUG_DATA_DIR or KUBECONFIG)`);
        env.KUBECONFIG = path;
      }
      const child = spawn(process.env.KUBECTL ?? 'kubectl', args, { stdio: 'inherit', env });
      const code = await new Promise<number>((resolve) => {
        child.on('error', (e) => { console.error(`tug: cannot run kubectl: ${e.message}`); resolve(127); });
        child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
      });
      process.exit(code);
    });
}
