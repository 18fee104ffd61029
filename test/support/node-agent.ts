/**
 * @module What e2e tests of the node agent look at beside the API: the pods' IPs, lines from a
 * kubectl running in the background, and what the node holds on the host (containerd's containers
 * and sandboxes, veths on the bridge, host-local IP reservations, pod cgroups, log directories) —
 * read from the layout `tug server` records in DATA_DIR/agent.json.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAgentLayout } from '../../src/kubelet/layout.js';
import { waitFor } from './wait-for.js';

/** Name and IP of each pod in a `kubectl get pods -o json` output (a List or one Pod). */
export function podIPs(json: string): { name: string; ip: string }[] {
  const doc = JSON.parse(json);
  const pods: any[] = doc.kind === 'List' || doc.items ? doc.items : [doc];
  return pods.map((p) => ({ name: p.metadata.name, ip: p.status?.podIP })).filter((p) => p.ip);
}

/** Resolves with the first stdout line of `child` that matches; rejects when it exits first or after timeoutMs. */
export function waitForLine(child: ChildProcess, match: RegExp | ((line: string) => boolean), timeoutMs = 30_000): Promise<string> {
  const test = typeof match === 'function' ? match : (l: string) => match.test(l);
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const done = (fn: () => void) => { clearTimeout(timer); child.stdout!.off('data', onData); child.off('exit', onExit); fn(); };
    const onData = (d: Buffer) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (test(line)) return done(() => resolve(line));
      }
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`exited (${code}) before the line came: ${err}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no matching line in ${timeoutMs} ms; stderr: ${err}`))), timeoutMs);
    child.stdout!.on('data', onData);
    child.stderr?.on('data', (d) => { err += d; });
    child.once('exit', onExit);
  });
}

export interface NodeLeftovers {
  containers: string[];
  sandboxes: string[];
  veths: string[];
  ips: string[];
  cgroups: string[];
  logDirs: string[];
}

/** What the node of the server in dataDir still holds on the host (its containerd must be running). */
export function nodeLeftovers(dataDir: string): NodeLeftovers {
  const layout = readAgentLayout(dataDir);
  const ctr = (...args: string[]) => {
    const r = spawnSync('ctr', ['--address', layout.runtimeEndpoint.replace(/^unix:\/\//, ''), '-n', 'k8s.io', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean);
  };
  const links = spawnSync('ip', ['-o', 'link', 'show', 'master', layout.bridge], { encoding: 'utf8' });
  const ipDir = join(layout.cniDataDir, layout.cniNetwork);
  const cgroups: string[] = [];
  for (const hierarchy of ['memory', 'cpu', 'pids']) {
    const root = join('/sys/fs/cgroup', hierarchy, layout.cgroupRoot);
    if (!existsSync(root)) continue;
    for (const qos of readdirSync(root, { withFileTypes: true })) {
      if (!qos.isDirectory()) continue;
      if (qos.name.startsWith('pod')) cgroups.push(join(hierarchy, qos.name));
      else for (const pod of readdirSync(join(root, qos.name), { withFileTypes: true })) {
        if (pod.isDirectory() && pod.name.startsWith('pod')) cgroups.push(join(hierarchy, qos.name, pod.name));
      }
    }
  }
  return {
    containers: ctr('containers', 'ls', '-q', 'labels."io.cri-containerd.kind"==container'),
    sandboxes: ctr('containers', 'ls', '-q', 'labels."io.cri-containerd.kind"==sandbox'),
    veths: links.status === 0 ? links.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim()) : [],
    ips: existsSync(ipDir) ? readdirSync(ipDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [],
    cgroups,
    logDirs: existsSync(layout.logRoot) ? readdirSync(layout.logRoot) : [],
  };
}


/** Waits until the server's node has registered and is Ready. */
export async function waitNodeReady(kubectl: (args: string[]) => { code: number; stdout: string }, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => {
    const r = kubectl(['get', 'nodes', '-o', 'json']);
    if (r.code !== 0) return false;
    return (JSON.parse(r.stdout).items as any[]).some((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  }, 'the node to be Ready', timeoutMs, 200);
}
