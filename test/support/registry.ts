/**
 * @module A private OCI registry for pull tests: Debian's docker-registry on a free loopback port,
 * storage in a temp dir, basic auth from an htpasswd file (bcrypt, made by apache2-utils'
 * htpasswd), and `push` of a containerd image into it through ctr. stop() ends the process by PID
 * and removes the dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  username: string;
  password: string;
  /** Pushes `localRef` from the containerd at `endpoint` as host/`repo`. */
  push(endpoint: string, localRef: string, repo: string): void;
  stop(): Promise<void>;
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
  s.on('error', reject);
});

export async function startTestRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'tug-registry-'));
  const username = 'tester', password = `pw-${process.pid}`;
  const hash = spawnSync('htpasswd', ['-nbB', username, password], { encoding: 'utf8' });
  if (hash.status !== 0) throw new Error(`htpasswd (apache2-utils) failed: ${hash.stderr || hash.error}`);
  writeFileSync(join(dir, 'htpasswd'), hash.stdout);
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}}
http: {addr: "127.0.0.1:${port}"}
auth: {htpasswd: {realm: tug-test, path: ${join(dir, 'htpasswd')}}}
`);
  const proc: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log += d; });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) await new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGKILL'); });
    rmSync(dir, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`http://${host}/v2/`).catch(() => undefined);
    if (res?.status === 401) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start: ${log.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host, username, password, stop,
    push(endpoint, localRef, repo) {
      const address = endpoint.replace(/^unix:\/\//, '');
      const ctr = (...args: string[]) => {
        const r = spawnSync('ctr', ['--address', address, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 60_000 });
        if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
      };
      const remote = `${host}/${repo}`;
      ctr('images', 'tag', '--force', localRef, remote);
      ctr('images', 'push', '--plain-http', '--user', `${username}:${password}`, remote);
      ctr('images', 'rm', remote);
    },
  };
}
