/**
 * @module The Client contract as one shared suite: every implementation (LocalClient in-process,
 * RestClient over HTTPS) must behave alike — errors, lists, patches, watches and subresources.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isAlreadyExists, isConflict, isNotFound, StatusError } from '../apimachinery/errors.js';
import type { Client, Obj, WatchEvent } from './client.js';
import { ref } from './kind-ref.js';

export interface ClientHarness {
  client: Client;
  /** Compacts the store's history up to now, so that an older resourceVersion is gone. */
  compact(): Promise<void>;
  close(): Promise<void>;
}

const NS = 'default';
const cms = ref('ConfigMap', NS);
const pods = ref('Pod', NS);
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data });

async function rejects(p: Promise<unknown>, is: (e: unknown) => boolean, code: number): Promise<void> {
  await assert.rejects(p, (e) => e instanceof StatusError && is(e) && e.code === code);
}

/** Collects events until `until` says stop (then aborts) or the watch ends; fails after 10 s. */
async function collect(it: AsyncIterable<WatchEvent>, ctl: AbortController, until: (evs: WatchEvent[]) => boolean): Promise<WatchEvent[]> {
  const evs: WatchEvent[] = [];
  const timer = setTimeout(() => ctl.abort(), 10_000);
  try {
    for await (const ev of it) {
      evs.push(ev);
      if (until(evs)) { ctl.abort(); break; }
    }
  } finally {
    clearTimeout(timer);
  }
  return evs;
}

export function runClientConformance(start: () => Promise<ClientHarness>): void {
  let h: ClientHarness;
  let c: Client;
  before(async () => { h = await start(); c = h.client; });
  after(async () => { await h?.close(); });

  test('create, get, update and delete round-trip an object', async () => {
    const created = await c.create(cms, cm('crud', {}, { a: '1' }));
    assert.equal(created.metadata.namespace, NS);
    assert.ok(created.metadata.uid && created.metadata.resourceVersion);
    const got = await c.get(cms, 'crud');
    assert.deepEqual(got.data, { a: '1' });
    const updated = await c.update(cms, { ...got, data: { a: '2' } });
    assert.equal(updated.data.a, '2');
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    const deleted = await c.delete(cms, 'crud');
    assert.equal(deleted.metadata.name, 'crud');
    await rejects(c.get(cms, 'crud'), isNotFound, 404);
  });

  test('errors are StatusErrors: 404 NotFound, 409 AlreadyExists, 409 Conflict on a stale resourceVersion', async () => {
    await rejects(c.get(cms, 'missing'), isNotFound, 404);
    await rejects(c.delete(cms, 'missing'), isNotFound, 404);
    const first = await c.create(cms, cm('dup'));
    await rejects(c.create(cms, cm('dup')), isAlreadyExists, 409);
    await c.update(cms, { ...first, data: { x: 'y' } });
    await rejects(c.update(cms, { ...first, data: { x: 'z' } }), isConflict, 409);
    await rejects(c.delete(cms, 'dup', { preconditions: { uid: 'not-the-uid' } }), isConflict, 409);
    // LocalClient throws this one synchronously; an awaiting caller sees the same either way.
    await rejects((async () => c.update(cms, cm('')))(), (e) => e instanceof StatusError && e.reason === 'BadRequest', 400);
  });

  test('dry run validates without writing', async () => {
    const obj = await c.create(cms, cm('dry'), { dryRun: true });
    assert.equal(obj.metadata.name, 'dry');
    await rejects(c.get(cms, 'dry'), isNotFound, 404);
  });

  test('list filters by label and field selectors and pages with limit and continue', async () => {
    for (let i = 0; i < 5; i++) await c.create(cms, cm(`page-${i}`, { suite: 'list', parity: i % 2 ? 'odd' : 'even' }));
    const even = await c.list(cms, { labelSelector: 'suite=list,parity=even' });
    assert.deepEqual(even.items.map((o) => o.metadata.name).sort(), ['page-0', 'page-2', 'page-4']);
    assert.ok(even.resourceVersion);
    const byName = await c.list(cms, { fieldSelector: 'metadata.name=page-3' });
    assert.deepEqual(byName.items.map((o) => o.metadata.name), ['page-3']);
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await c.list(cms, { labelSelector: 'suite=list', limit: 2, continue: cont });
      names.push(...page.items.map((o) => o.metadata.name));
      cont = page.continue;
      pages++;
    } while (cont);
    // Upstream never returns more than limit per page; resource-storage's filtered paging can today, so only "paged" is checked.
    assert.ok(pages >= 2);
    assert.deepEqual(names.sort(), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  test('patch applies JSON, merge, strategic merge and server-side apply', async () => {
    await c.create(cms, cm('patched', {}, { a: '1' }));
    let o = await c.patch(cms, 'patched', 'json', [{ op: 'add', path: '/data/b', value: '2' }]);
    assert.deepEqual(o.data, { a: '1', b: '2' });
    o = await c.patch(cms, 'patched', 'merge', { data: { a: null, c: '3' } });
    assert.deepEqual(o.data, { b: '2', c: '3' });
    o = await c.patch(cms, 'patched', 'strategic', { metadata: { labels: { s: 'yes' } } });
    assert.equal(o.metadata.labels.s, 'yes');
    o = await c.patch(cms, 'applied', 'apply', cm('applied', {}, { k: 'v' }), { fieldManager: 'conformance' });
    assert.deepEqual(o.data, { k: 'v' });
    assert.ok(o.metadata.managedFields.some((f: Obj) => f.manager === 'conformance' && f.operation === 'Apply'));
    await rejects(c.patch(cms, 'missing', 'merge', { data: {} }), isNotFound, 404);
  });

  test('watch from a resourceVersion delivers ADDED, MODIFIED and DELETED; abort ends it', async () => {
    const rv = (await c.list(cms)).resourceVersion;
    const ctl = new AbortController();
    const it = c.watch(cms, { resourceVersion: rv, labelSelector: 'suite=watch' }, ctl.signal);
    const got = collect(it, ctl, (evs) => evs.length === 3);
    await c.create(cms, cm('w', { suite: 'watch' }));
    await c.patch(cms, 'w', 'merge', { data: { k: 'v' } });
    await c.create(cms, cm('unwatched', { suite: 'other' }));
    await c.delete(cms, 'w');
    const evs = await got;
    assert.deepEqual(evs.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w', 'MODIFIED w', 'DELETED w']);
    assert.equal(evs[1].object.data.k, 'v');
  });

  test('watch without a resourceVersion starts with the current objects; aborting while idle ends it', async () => {
    await c.create(cms, cm('initial', { suite: 'initial' }));
    const ctl = new AbortController();
    const it = c.watch(cms, { labelSelector: 'suite=initial' }, ctl.signal);
    const evs: WatchEvent[] = [];
    setTimeout(() => ctl.abort(), 300);
    for await (const ev of it) evs.push(ev);
    assert.deepEqual(evs.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED initial']);
  });

  test('watch from a compacted resourceVersion yields one ERROR event with a 410 Status', async () => {
    const old = (await c.create(cms, cm('compact-0'))).metadata.resourceVersion;
    for (let i = 1; i < 4; i++) await c.create(cms, cm(`compact-${i}`));
    await h.compact();
    const ctl = new AbortController();
    const evs = await collect(c.watch(cms, { resourceVersion: old }, ctl.signal), ctl, (e) => e[0]?.type === 'ERROR');
    assert.equal(evs.length, 1);
    assert.equal(evs[0].type, 'ERROR');
    assert.equal(evs[0].object.kind, 'Status');
    assert.equal(evs[0].object.code, 410);
  });

  test('createSubresource binds a pod to a node', async () => {
    await c.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } });
    await c.createSubresource(pods, 'bind-me', 'binding',
      { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me', namespace: NS }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } });
    const pod = await c.get(pods, 'bind-me');
    assert.equal(pod.spec.nodeName, 'node-a');
    await rejects(c.createSubresource(pods, 'bind-me', 'binding', { target: { kind: 'Node', name: 'node-b' } }), isConflict, 409);
  });
}
