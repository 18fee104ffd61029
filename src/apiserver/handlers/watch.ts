/**
 * @module Watch: a chunked stream of JSON events ({"type","object"} per line), resumable from a
 * resourceVersion, with bookmarks, initial-events-end, timeouts and a 410 ERROR event when the
 * asked revision is compacted — as kube-apiserver streams it.
 */
import { apiVersionOf } from '../../api/scheme.js';
import { toTable } from '../../api/tables/index.js';
import { StatusError } from '../../apimachinery/errors.js';
import { toStatus } from '../http/respond.js';
import { buildFilter } from '../registry/filter.js';
import { jsonOf, type ObjectEvent } from '../registry/resource-storage.js';
import { includeObject, intParam, type RequestContext } from './context.js';

/** How often a watch that asked for bookmarks gets one (upstream: about once a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** Default watch length when the client gives no timeoutSeconds (upstream: 30–60 min). */
const DEFAULT_TIMEOUT_S = 1800;

// One serialization per event and representation, shared by every watcher of that event.
const frames = new WeakMap<object, Map<string, string>>();

export async function handleWatch(ctx: RequestContext): Promise<void> {
  const { query: q, res } = ctx;
  const filter = buildFilter(ctx.t, q.get('labelSelector') ?? '', q.get('fieldSelector') ?? '');
  const timeout = (intParam(q, 'timeoutSeconds') ?? DEFAULT_TIMEOUT_S * (1 + Math.random())) * 1000;
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = q.get('sendInitialEvents') === 'true';
  const controller = new AbortController();
  const stop = () => controller.abort();
  ctx.req.on('close', stop);
  res.on('close', stop);
  const timer = setTimeout(stop, timeout);
  let lastRV = q.get('resourceVersion') ?? '';
  const table = ctx.neg.as === 'table';
  const incl = includeObject(q);

  const frame = (ev: ObjectEvent): string => {
    const rep = table ? `table:${incl}:${ev.type}` : ev.type;
    const key = ev.object;
    let m = frames.get(key);
    if (!m) frames.set(key, (m = new Map()));
    let f = m.get(rep);
    if (f === undefined) {
      const object = table ? toTable(ctx.t, [ev.object], { includeObject: incl, now: new Date(), resourceVersion: ev.object.metadata?.resourceVersion }) : ev.object;
      f = table ? `${JSON.stringify({ type: ev.type, object })}\n` : `{"type":"${ev.type}","object":${jsonOf(ev.object)}}\n`;
      m.set(rep, f);
    }
    return f;
  };
  const bookmark = (rv: string, annotations?: Record<string, string>) => {
    const object = { kind: ctx.t.kind, apiVersion: apiVersionOf(ctx.t), metadata: { resourceVersion: rv, ...(annotations ? { annotations } : {}) } };
    return `${JSON.stringify({ type: 'BOOKMARK', object })}\n`;
  };

  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
  };
  const bookmarkTimer = bookmarks ? setInterval(() => { if (started && lastRV) res.write(bookmark(lastRV)); }, BOOKMARK_INTERVAL_MS) : undefined;
  try {
    let rv = q.get('resourceVersion') ?? '';
    start();
    if (rv === '' || rv === '0' || sendInitialEvents) {
      // The current state first, as ADDED events, then changes after the list's revision.
      const page = await ctx.storage.list(ctx.info.namespace, { filter });
      rv = lastRV = page.resourceVersion;
      const chunks = page.items.map((object) => frame({ type: 'ADDED', object }));
      if (sendInitialEvents) chunks.push(bookmark(rv, { 'k8s.io/initial-events-end': 'true' }));
      if (chunks.length) res.write(chunks.join(''));
    }
    const events = ctx.storage.watch(ctx.info.namespace, { filter, resourceVersion: rv, signal: controller.signal });
    for await (const batch of events) {
      lastRV = batch[batch.length - 1].object.metadata?.resourceVersion ?? lastRV;
      res.write(batch.map(frame).join(''));
    }
  } catch (e) {
    if (!(e instanceof StatusError) && controller.signal.aborted) return;
    // Errors inside a watch are events, not HTTP statuses: client-go and client-node relist on a 410 ERROR.
    start();
    res.write(`${JSON.stringify({ type: 'ERROR', object: toStatus(e, (err) => console.error(err)) })}\n`);
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    if (!res.writableEnded) res.end();
  }
}
