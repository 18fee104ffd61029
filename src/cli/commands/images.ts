/**
 * @module `tug images import|ls|rm`: the images of the node's containerd (CRI's k8s.io namespace),
 * so that pods can run images built or saved elsewhere without a registry.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { containerdLayout } from '../../kubelet/containerd/config.js';
import { importImage, listImages, normalizeRef, removeImage, socketPath } from '../../kubelet/images/ctr.js';
import { DEFAULT_DATA_DIR } from '../defaults.js';

interface RuntimeFlags { dataDir: string; containerRuntimeEndpoint?: string }

/** The server's own containerd under the data dir, unless an endpoint is given. */
export function runtimeEndpoint(f: RuntimeFlags): string {
  if (f.containerRuntimeEndpoint) {
    socketPath(f.containerRuntimeEndpoint);
    return f.containerRuntimeEndpoint;
  }
  return `unix://${containerdLayout(join(f.dataDir, 'containerd')).socket}`;
}

function withRuntimeFlags(c: Command): Command {
  return c
    .option('--data-dir <dir>', 'the server\'s data dir (its containerd socket is DATA_DIR/containerd/containerd.sock)', process.env.TUG_DATA_DIR ?? DEFAULT_DATA_DIR)
    .option('--container-runtime-endpoint <unix:///path>', 'the CRI runtime\'s socket, instead of the server\'s own containerd');
}

/** `out` receives what the commands print (tests pass their own). */
export function imagesCommand(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Command {
  const images = new Command('images').description('list, import and remove the node\'s container images');

  images.addCommand(withRuntimeFlags(new Command('import'))
    .description('import images from a tar (docker save / docker-archive, or an OCI image layout)')
    .argument('<file>', 'the tar file')
    .option('--base-name <repo>', 'repository for an OCI archive\'s tag-only refs (e.g. registry.local/app)')
    .action(async (file: string, f: RuntimeFlags & { baseName?: string }) => {
      const names = await importImage(runtimeEndpoint(f), file, { baseName: f.baseName });
      for (const n of names) {
        out(`imported ${n}`);
        // ctr names an OCI archive's tag-only refs "import-DATE:tag": no pod can name that.
        if (normalizeRef(n) !== n) out(`warning: "${n}" is not a full image reference; pods cannot use it (import again with --base-name REPO)`);
      }
    }));

  images.addCommand(withRuntimeFlags(new Command('ls'))
    .alias('list')
    .description('list images (as crictl images)')
    .option('-q, --quiet', 'print only references')
    .action(async (f: RuntimeFlags & { quiet?: boolean }) => {
      const list = await listImages(runtimeEndpoint(f));
      if (f.quiet) return list.forEach((i) => out(i.ref));
      const rows = list.map((i) => {
        const { repo, tag } = splitRef(i.ref);
        return [repo, tag, i.digest.replace(/^sha256:/, '').slice(0, 13), i.size];
      });
      for (const row of table([['IMAGE', 'TAG', 'DIGEST', 'SIZE'], ...rows])) out(row);
    }));

  images.addCommand(withRuntimeFlags(new Command('rm'))
    .alias('remove')
    .description('remove images by reference')
    .argument('<ref...>', 'image references, e.g. tugboat.local/busybox:1')
    .action(async (refs: string[], f: RuntimeFlags) => {
      const endpoint = runtimeEndpoint(f);
      for (const ref of refs) {
        await removeImage(endpoint, ref);
        out(`deleted ${ref}`);
      }
    }));

  return images;
}

/** "host:5000/a/b:tag" → repo "host:5000/a/b", tag "tag"; a digest ref has tag "<none>". */
function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: '<none>' };
  const colon = ref.lastIndexOf(':');
  if (colon < 0 || ref.indexOf('/', colon) >= 0) return { repo: ref, tag: '<none>' };
  return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join(''));
}
