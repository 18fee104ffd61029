/** @module Newline-delimited watch streams for the benches: one callback per complete line, and a raw watch of a path. */
import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { readKubeconfig } from '../../src/cli/kubeconfig.js';

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

export type WatchEvent = { type: string; object: any };

/** A raw watch stream (its own connection) of `path`; calls onEvent for each event until stop(). */
export async function watch(kubeconfig: string, path: string, onEvent: (e: WatchEvent) => void): Promise<{ stop(): void }> {
  const creds = await readKubeconfig(kubeconfig);
  const url = new URL(creds.server);
  const agent = new Agent({ keepAlive: false, ca: creds.ca, cert: creds.cert, key: creds.key });
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: url.hostname, port: url.port, path, agent }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${path}: ${res.statusCode}`));
      resolve({ stop: () => { req.destroy(); agent.destroy(); } });
      onLines(res, (line) => onEvent(JSON.parse(line)));
      res.on('error', () => {});
    });
    req.on('error', reject);
    req.end();
  });
}
