/**
 * @module Running the `nft` command: a script on stdin is one atomic netlink transaction (all of it
 * applies or none does). Shared by the node's masquerade table and the service proxy; `netns` runs
 * nft inside a named network namespace (`ip netns exec`), which tests and simulated nodes use.
 */
import { execFile } from 'node:child_process';

export interface NftOptions {
  /** A named network namespace (/var/run/netns/<name>) to run nft in. */
  netns?: string;
  /** Kill nft after this long (default 20 s; a first sync of 10,000 services takes seconds). */
  timeoutMs?: number;
  /** Extra environment for nft (the proxy tunes glibc's malloc for its large scripts). */
  env?: Record<string, string>;
}

/** Runs `nft args…` with `input` on stdin; resolves with stdout, rejects with nft's own message. */
export function nft(args: string[], input?: string, opts: NftOptions = {}): Promise<string> {
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, 'nft', ...args]] : ['nft', args];
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv, { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 1 << 30,
      env: opts.env ? { ...process.env, ...opts.env } : undefined }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new Error('nft not found: install the Debian package nftables'));
      reject(new Error(`nft ${args.join(' ')}: ${firstLines(stderr) || e.message}`));
    });
    child.stdin?.on('error', () => {}); // nft may exit before reading all of a bad script
    child.stdin?.end(input ?? '');
  });
}

/** Whether table `ip <name>` exists. */
export async function nftTableExists(table: string, opts: NftOptions = {}): Promise<boolean> {
  const out = await nft(['list', 'tables', 'ip'], undefined, opts);
  return out.split('\n').some((l) => l.trim() === `table ip ${table}`);
}

/** Deletes table `ip <name>`; one that does not exist is not an error. */
export async function nftDeleteTable(table: string, opts: NftOptions = {}): Promise<void> {
  await nft(['-f', '-'], `table ip ${table} {}\ndelete table ip ${table}\n`, opts);
}

// nft echoes the failing script line and a caret line under it: keep the message, not pages of script.
const firstLines = (s: string) => s.trim().split('\n').slice(0, 6).join('\n');
