/** @module Newline-delimited watch streams for the benches: one callback per complete line. */
import type { IncomingMessage } from 'node:http';

export function onLines(res: IncomingMessage, onLine: (line: string) => void): void {
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  });
}
