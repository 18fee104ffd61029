/**
 * @module Durability: SIGKILL `tug server` in the middle of concurrent creates over HTTPS; after a
 * restart on the same data dir every create the server acknowledged (201) is there.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { adminHttps } from '../support/admin-https.js';
import { startTugServer, type TugServer } from '../support/tug-server.js';

const TOTAL = 200;
const KILL_AFTER = 60;

describe('durability', { timeout: 60_000 }, () => {
  const servers: TugServer[] = [];
  let etcd: EtcdServer | undefined;
  after(async () => {
    for (const s of servers) await s.cleanup();
    await etcd?.stop();
  });

  it('keeps every acknowledged create across kill -9 (sqlite)', async (t) => {
    servers.push(await startTugServer());
    t.diagnostic(await killMidWay(servers.at(-1)!));
  });

  it('keeps every acknowledged create across kill -9 (etcd)', async (t) => {
    etcd = await startEtcd();
    servers.push(await startTugServer({ datastoreEndpoint: `etcd://${etcd.endpoint}` }));
    t.diagnostic(await killMidWay(servers.at(-1)!));
  });
});

/** Returns a one-line summary. */
async function killMidWay(server: TugServer): Promise<string> {
  {
    const client = await adminHttps(server.kubeconfig, { maxSockets: 50 });
    const acked = new Set<string>();
    const failed = new Map<string, string>();
    let killing: Promise<void> | undefined;
    try {
      const path = '/api/v1/namespaces/default/configmaps';
      await Promise.all(Array.from({ length: TOTAL }, async (_, i) => {
        const name = `cm-${String(i).padStart(3, '0')}`;
        try {
          const r = await client.request('POST', path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i), pad: 'x'.repeat(512) } }, { timeoutMs: 20_000 });
          if (r.status === 201) acked.add(name);
          else failed.set(name, `${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          failed.set(name, (e as Error).message);
        }
        if (acked.size === KILL_AFTER && !killing) killing = server.kill();
      }));
      await killing;
    } finally {
      client.close();
    }
    assert.ok(killing, `the server was killed mid-way (acked ${acked.size}, failures: ${[...failed.values()].slice(0, 3).join('; ')})`);
    assert.ok(acked.size >= KILL_AFTER && acked.size < TOTAL, `killed mid-way: ${acked.size} of ${TOTAL} acknowledged`);
    // Everything that was not acknowledged failed at the transport (the process died), not with an HTTP error.
    for (const [name, why] of failed) assert.doesNotMatch(why, /^\d{3} /, `${name}: ${why}`);

    await server.restart();
    const fresh = await adminHttps(server.kubeconfig);
    try {
      const list = await fresh.request('GET', '/api/v1/namespaces/default/configmaps');
      assert.equal(list.status, 200, list.text);
      const present = new Set<string>(list.body.items.map((c: any) => c.metadata.name));
      const lost = [...acked].filter((n) => !present.has(n));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged creates were lost`);
      // Each survivor is whole, and the server keeps taking writes after the crash.
      for (const c of list.body.items) if (c.metadata.name.startsWith('cm-')) assert.equal(c.data.pad.length, 512);
      const r = await fresh.request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'after-crash' } });
      assert.equal(r.status, 201, r.text);
      const rv = Number(r.body.metadata.resourceVersion);
      const maxRV = Math.max(...list.body.items.map((c: any) => Number(c.metadata.resourceVersion)));
      assert.ok(rv > maxRV, `resourceVersion ${rv} after the crash is above every surviving one (${maxRV})`);
      const survivors = list.body.items.filter((c: any) => c.metadata.name.startsWith('cm-')).length;
      return `${acked.size} of ${TOTAL} creates acknowledged before SIGKILL; all present after restart (${survivors} present in all)`;
    } finally {
      fresh.close();
    }
  }
}
