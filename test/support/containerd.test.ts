import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Running (a zombie whose parent has gone is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Starts a test containerd in a child process that then dies as `how`; returns what it had made. */
async function dieWith(how: 'exception' | 'SIGTERM' | 'group SIGTERM'): Promise<{ dir: string; pid: number; bridge: string }> {
  const code = `
    import { startTestContainerd } from './test/support/containerd.ts';
    const c = await startTestContainerd();
    console.log(JSON.stringify({ dir: c.dir, pid: c.pid, bridge: c.bridge }));
    ${how === 'exception' ? 'setTimeout(() => { throw new Error("test blew up"); }, 100);' : 'setInterval(() => {}, 1000);'}
  `;
  // In its own process group, as a test runner or a shell job is: a job kill signals the whole group.
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const made = await new Promise<{ dir: string; pid: number; bridge: string }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.once('exit', (c) => reject(new Error(`child exited (${c}) early: ${err}`)));
  });
  assert.ok(existsSync(made.dir) && alive(made.pid));
  if (how === 'SIGTERM') child.kill('SIGTERM');
  if (how === 'group SIGTERM') process.kill(-child.pid!, 'SIGTERM');
  const exitCode = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.notEqual(exitCode, 0, err);
  return made;
}

for (const how of ['exception', 'SIGTERM', 'group SIGTERM'] as const) {
  test(`a test process that dies by ${how} without stop() leaves no containerd, dir or bridge`, async () => {
    const made = await dieWith(how);
    assert.equal(existsSync(made.dir), false, 'dir removed');
    assert.equal(alive(made.pid), false, 'containerd gone');
    assert.equal(existsSync(`/sys/class/net/${made.bridge}`), false, 'no bridge');
  });
}
