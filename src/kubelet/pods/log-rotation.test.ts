/** @module Container log rotation: renamed past the size limit, reopened, and old rotations removed. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Container, ContainerStatus } from '../cri/types.js';
import { LogRotator } from './log-rotation.js';

const dir = mkdtempSync(join(tmpdir(), 'tug-logrot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a big log is rotated and reopened; only maxFiles-1 rotated files stay', async () => {
  const path = join(dir, '0.log');
  const reopened: string[] = [];
  let now = Date.parse('2026-01-02T03:04:05Z');
  const runtime = {
    listContainers: async () => [{ id: 'c1' } as Container],
    containerStatus: async () => ({ logPath: path }) as ContainerStatus,
    reopenContainerLog: async (id: string) => { reopened.push(id); writeFileSync(path, ''); },
  };
  const r = new LogRotator({ runtime, maxSizeBytes: 10, maxFiles: 3, now: () => now, log: { warn: assert.fail } });
  for (let i = 0; i < 4; i++) {
    writeFileSync(path, 'x'.repeat(i === 3 ? 5 : 20));
    await r.rotateAll();
    now += 1000;
  }
  assert.deepEqual(reopened, ['c1', 'c1', 'c1']);
  assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20260102-030406', '0.log.20260102-030407']);
});
