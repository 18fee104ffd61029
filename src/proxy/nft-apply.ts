/**
 * @module Applies one proxy transaction (`nft -f -`), as src/net/nft.ts's nft() does, with glibc's
 * malloc tuned for nft: a 10,000-service full sync makes nft allocate over a gigabyte in small
 * pieces, and faulting that in 4 KiB pages was about 40% of its run time here. Transparent huge
 * pages and a 64 MiB heap step cut a full sync's nft time from 10.5 s to 6.4 s; a small script
 * does not notice. Glibc ignores tunables it does not know.
 */
import { execFile } from 'node:child_process';

const Tunables = 'glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864';

export function applyScript(script: string, opts: { netns?: string; timeoutMs: number }): Promise<void> {
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, 'nft', '-f', '-']] : ['nft', ['-f', '-']];
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv, { timeout: opts.timeoutMs, maxBuffer: 1 << 26, env: { ...process.env, GLIBC_TUNABLES: Tunables } }, (err, _out, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new Error('nft not found: install the Debian package nftables'));
      // nft echoes the failing script line and a caret under it: keep the message, not pages of script.
      reject(new Error(`nft -f -: ${stderr.trim().split('\n').slice(0, 6).join('\n') || e.message}`));
    });
    child.stdin?.on('error', () => {}); // nft may exit before reading all of a bad script
    child.stdin?.end(script);
  });
}
