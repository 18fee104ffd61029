/**
 * @module The access-log line of one request through the ingress proxy. It is the JSON line pino
 * writes for `log.info(fields, 'ingress request')` — level, time, the logger's bindings, the
 * fields, msg — formatted here from the known fields and handed to the logger's destination:
 * pino's generic serializer (every key looked up, every string escaped char by char) was ~6 % of
 * the proxy's CPU per small request. The logger's level still decides whether a line is written.
 * Lines reach the destination once per turn of the event loop, joined: pino's destination
 * (sonic-boom) measures the text it holds on every write, so a line at a time costs O(buffered).
 */
import pino, { type Logger } from 'pino';

/** What one access-log line says. */
export interface AccessLogFields {
  method: string;
  host: string;
  path: string;
  status: number;
  bytes: number;
  durationMs: number;
  upstream?: string;
  /** namespace/name */
  ingress?: string;
  requestId: string;
  protocol: string;
}

/** What pino keeps on a logger: its bindings serialized (`,"pid":1,"hostname":"h"` or `,"component":"ingress"`) and its destination. */
const { chindingsSym, streamSym } = pino.symbols;

const str = JSON.stringify;

interface Destination { write(text: string): unknown }
/** Lines not yet handed to their destination (flushed at the end of this turn of the event loop). */
const held = new Map<Destination, string[]>();

function flush(): void {
  for (const [stream, lines] of held) {
    try {
      stream.write(lines.join(''));
    } catch {
      // The destination was closed meanwhile (its logger ended): the lines have nowhere to go.
    }
  }
  held.clear();
}

function hold(stream: Destination, line: string): void {
  const lines = held.get(stream);
  if (lines) return void lines.push(line);
  if (held.size === 0) setImmediate(flush);
  held.set(stream, [line]);
}

export function writeAccessLog(log: Logger, f: AccessLogFields): void {
  if (!log.isLevelEnabled('info')) return;
  const stream = (log as unknown as Record<symbol, Destination>)[streamSym];
  const chindings = (log as unknown as Record<symbol, string>)[chindingsSym];
  hold(stream, `{"level":30,"time":${Date.now()}${chindings},"method":${str(f.method)},"host":${str(f.host)},"path":${str(f.path)}`
    + `,"status":${f.status},"bytes":${f.bytes},"durationMs":${f.durationMs}`
    + `${f.upstream === undefined ? '' : `,"upstream":${str(f.upstream)}`}${f.ingress === undefined ? '' : `,"ingress":${str(f.ingress)}`}`
    + `,"requestId":${str(f.requestId)},"protocol":${str(f.protocol)},"msg":"ingress request"}\n`);
}
