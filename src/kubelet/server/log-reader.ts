/**
 * @module Reads a container's CRI log file for `kubectl logs`: the whole file or its last N lines,
 * then with follow the lines still being written — across the runtime reopening the file after a
 * rotation — until the container stops running or the client goes away.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { LogFormatter, endsLogLine, type LogOptions } from './cri-log.js';

const BLOCK = 64 * 1024;
const NL = 0x0a;

export interface ReadLogInput {
  path: string;
  opts: LogOptions;
  /** Takes output; resolves when the sink can take more (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** For follow: whether the container still runs (following ends after it stopped). */
  isRunning(): Promise<boolean>;
  /** How often follow looks at the container's state while the file is quiet; default 1 s. */
  pollMs?: number;
}

/** Streams the log; a missing file is an empty log (the runtime may not have written it yet). */
export async function readContainerLog(i: ReadLogInput): Promise<void> {
  const fmt = new LogFormatter(i.opts);
  let fh = await openOrUndefined(i.path);
  if (!fh && !i.opts.follow) return;
  let offset = 0;
  if (fh && i.opts.tailLines !== undefined) offset = await tailStart(fh, (await fh.stat()).size, i.opts.tailLines);
  let carry: Buffer = Buffer.alloc(0);
  const buf = Buffer.allocUnsafe(BLOCK);
  const pollMs = i.pollMs ?? 1000;
  const waiter = i.opts.follow ? new ChangeWaiter(i.path) : undefined;
  let lastStateCheck = 0;
  let lastPass = false;

  /** Reads to the current end of the file; false when nothing was there. */
  const readAvailable = async (): Promise<boolean> => {
    let any = false;
    while (fh && !i.signal.aborted && !fmt.done) {
      const { bytesRead } = await fh.read(buf, 0, BLOCK, offset);
      if (bytesRead === 0) break;
      any = true;
      offset += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
      const out: Buffer[] = [];
      let start = 0;
      for (let nl = data.indexOf(NL); nl >= 0; nl = data.indexOf(NL, start)) {
        out.push(...fmt.line(data.subarray(start, nl)));
        start = nl + 1;
      }
      carry = data.subarray(start);
      if (out.length) await i.write(Buffer.concat(out));
    }
    return any;
  };

  try {
    for (;;) {
      if (await readAvailable()) continue;
      if (i.signal.aborted || fmt.done) return;
      if (!i.opts.follow || lastPass) break;
      // The runtime reopens the path after a rotation: finish the old file, then take the new one.
      const current = await inode(i.path);
      if (current !== undefined && (!fh || current !== (await fh.stat()).ino)) {
        await fh?.close();
        fh = await openOrUndefined(i.path);
        offset = 0;
        carry = Buffer.alloc(0);
        continue;
      }
      const now = Date.now();
      if (now - lastStateCheck >= pollMs) {
        lastStateCheck = now;
        // One more pass picks up what the container wrote just before it stopped.
        if (!(await i.isRunning())) lastPass = true;
        continue;
      }
      await waiter!.wait(pollMs, i.signal);
    }
    // A last line the runtime did not finish with a newline.
    if (carry.length && !i.signal.aborted) {
      const out = fmt.line(carry);
      if (out.length) await i.write(Buffer.concat(out));
    }
  } finally {
    waiter?.close();
    await fh?.close();
  }
}

/**
 * The offset where the last n log lines start. Partial pieces (tag P) belong to the line their F
 * piece ends, so the count is of whole lines, scanning backwards a block at a time.
 */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n === 0) return size;
  let count = 0;
  let later: Buffer[] = [];
  for (let pos = size; pos > 0;) {
    const start = Math.max(0, pos - BLOCK);
    const block = Buffer.allocUnsafe(pos - start);
    await fh.read(block, 0, block.length, start);
    let end = block.length;
    for (let nl = block.lastIndexOf(NL, end - 1); nl >= 0; nl = end > 0 ? block.lastIndexOf(NL, end - 1) : -1) {
      const line = later.length ? Buffer.concat([block.subarray(nl + 1, end), ...later]) : block.subarray(nl + 1, end);
      later = [];
      if (line.length && endsLogLine(line) && ++count > n) return start + nl + 1 + line.length + 1;
      end = nl;
    }
    later.unshift(block.subarray(0, end));
    pos = start;
  }
  // The file's first line has no newline before it.
  const first = Buffer.concat(later);
  return first.length && endsLogLine(first) && ++count > n ? first.length + 1 : 0;
}

async function openOrUndefined(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function inode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}

/** Wakes a follower when the file's directory sees a change, or after a timeout. */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private changed = false;

  constructor(path: string) {
    try {
      // The directory, not the file: a rotated file is replaced under the same name.
      this.watcher = watch(path.slice(0, path.lastIndexOf('/')) || '/', () => this.notify());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // no inotify here: polling alone still works
    }
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
