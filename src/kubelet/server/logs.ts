/**
 * @module GET /containerLogs/NS/POD/CONTAINER: the container's CRI log file (found through CRI),
 * as text, with the kubelet's options (follow, previous, tailLines, sinceSeconds/sinceTime,
 * timestamps, limitBytes).
 */
import type { ServerResponse } from 'node:http';
import type { RuntimeService } from '../cri/types.js';
import { logOptionsFrom } from './cri-log.js';
import { podContainers, previousContainer } from './containers.js';
import { badRequest } from './http-error.js';
import { readContainerLog } from './log-reader.js';
import type { PodRef } from './routes.js';

export async function serveContainerLogs(runtime: RuntimeService, res: ServerResponse, pod: PodRef, container: string,
  query: URLSearchParams): Promise<void> {
  const opts = logOptionsFrom(query);
  const list = await podContainers(runtime, pod, container);
  const target = opts.previous ? previousContainer(list) : list[0];
  if (!target) {
    throw badRequest(opts.previous
      ? `previous terminated container "${container}" in pod "${pod.name}" not found`
      : `container "${container}" in pod "${pod.name}" is waiting to start - no logs yet`);
  }
  const status = await runtime.containerStatus(target.id);
  const ac = new AbortController();
  // 'close' on the response also fires after a normal end, when aborting no longer matters.
  res.once('close', () => ac.abort());
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  // The headers go out now, so a follower sees the response start before the first line.
  res.flushHeaders();
  await readContainerLog({
    path: status.logPath, opts, signal: ac.signal,
    write: (chunk) => new Promise<void>((resolve) => {
      if (res.write(chunk) || res.destroyed) resolve();
      else {
        const go = () => { res.off('drain', go); res.off('close', go); resolve(); };
        res.once('drain', go);
        res.once('close', go);
      }
    }),
    isRunning: async () => {
      try {
        return (await runtime.containerStatus(target.id)).state === 'CONTAINER_RUNNING';
      } catch {
        return false; // removed meanwhile
      }
    },
  });
  res.end();
}
