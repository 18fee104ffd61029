/**
 * @module Container log rotation, as the kubelet's container log manager (containerd never
 * rotates or deletes logs): a running container's log past maxSize (10 MiB) is renamed to
 * `<log>.<timestamp>` and the runtime reopens it; beyond maxFiles (5, the live one included) the
 * oldest rotated files are removed.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RuntimeService } from '../cri/types.js';
import { isCRINotFound } from './cri-errors.js';

export interface LogRotatorOptions {
  runtime: Pick<RuntimeService, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;
  maxSizeBytes?: number;
  maxFiles?: number;
  now?: () => number;
  log: { warn(msg: string): void };
}

/** "20260102-030405" (UTC), the kubelet's rotation suffix format. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');

export class LogRotator {
  /** Log path per container id (it never changes). */
  private readonly paths = new Map<string, string>();

  constructor(private readonly o: LogRotatorOptions) {}

  /** Rotates every running container's log that grew too big. Never throws (failures are logged). */
  async rotateAll(): Promise<void> {
    const max = this.o.maxSizeBytes ?? 10 * 1024 * 1024;
    let running;
    try {
      running = await this.o.runtime.listContainers({ state: { state: 'CONTAINER_RUNNING' } });
    } catch (e) {
      this.o.log.warn(`log rotation: ${(e as Error).message}`);
      return;
    }
    const live = new Set(running.map((c) => c.id));
    for (const id of this.paths.keys()) if (!live.has(id)) this.paths.delete(id);
    for (const c of running) {
      try {
        let path = this.paths.get(c.id);
        if (path === undefined) {
          path = (await this.o.runtime.containerStatus(c.id)).logPath ?? '';
          this.paths.set(c.id, path);
        }
        if (!path) continue;
        const size = (await stat(path).catch(() => undefined))?.size ?? 0;
        if (size > max) await this.rotate(c.id, path);
      } catch (e) {
        if (!isCRINotFound(e)) this.o.log.warn(`log rotation of container ${c.id}: ${(e as Error).message}`);
      }
    }
  }

  private async rotate(id: string, path: string): Promise<void> {
    const rotated = `${path}.${stamp((this.o.now ?? Date.now)())}`;
    await rename(path, rotated);
    try {
      await this.o.runtime.reopenContainerLog(id);
    } catch (e) {
      // The runtime still writes to the renamed file: put it back, as the kubelet does.
      await rename(rotated, path).catch(() => {});
      throw e;
    }
    const prefix = `${basename(path)}.`;
    const old = (await readdir(dirname(path))).filter((f) => f.startsWith(prefix)).sort();
    const keep = Math.max(0, (this.o.maxFiles ?? 5) - 1);
    for (const f of old.slice(0, Math.max(0, old.length - keep))) await rm(join(dirname(path), f), { force: true });
  }
}
