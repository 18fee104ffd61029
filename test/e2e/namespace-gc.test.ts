/**
 * The real kubectl against `tug server` with the garbage collector and namespace controller:
 * `kubectl delete --cascade=foreground|orphan|background` on an owner chain, and `kubectl delete ns`
 * that returns once the namespace is emptied and gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fails, ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

describe('namespace deletion and garbage collection with kubectl', () => {
  let s: TugServer;
  const k = (...args: string[]) => s.kubectl(args);
  const uid = (kind: string, name: string, ns: string) => ok(k('get', kind, name, '-n', ns, '-o', 'jsonpath={.metadata.uid}'));

  before(async () => {
    s = await startTugServer({ extraArgs: ['--controllers', 'garbagecollector,namespace'] });
  });
  after(() => s?.cleanup());

  /** parent ConfigMap → child ConfigMap (blockOwnerDeletion) → grandchild Secret, in namespace ns. */
  function chain(ns: string, p: string): void {
    ok(k('create', 'configmap', `${p}-parent`, '-n', ns));
    const own = (name: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid: uid('configmap', name, ns), blockOwnerDeletion: true }];
    const apply = (kind: string, name: string, owner: string) => ok(s.kubectl(['apply', '-f', '-'],
      { input: JSON.stringify({ apiVersion: 'v1', kind, metadata: { name, namespace: ns, ownerReferences: own(owner) } }) }));
    apply('ConfigMap', `${p}-child`, `${p}-parent`);
    apply('Secret', `${p}-grandchild`, `${p}-child`);
  }
  const exists = (kind: string, name: string, ns: string) => k('get', kind, name, '-n', ns).code === 0;

  test('--cascade=foreground returns after the dependents are gone', () => {
    ok(k('create', 'namespace', 'gc-fg'));
    chain('gc-fg', 'a');
    assert.equal(ok(k('delete', 'configmap', 'a-parent', '-n', 'gc-fg', '--cascade=foreground', '--timeout=30s')), 'configmap "a-parent" deleted\n');
    assert.equal(exists('configmap', 'a-child', 'gc-fg'), false);
    assert.equal(exists('secret', 'a-grandchild', 'gc-fg'), false);
  });

  test('--cascade=orphan leaves the dependents, without the ownerReference', () => {
    ok(k('create', 'namespace', 'gc-or'));
    chain('gc-or', 'b');
    ok(k('delete', 'configmap', 'b-parent', '-n', 'gc-or', '--cascade=orphan', '--timeout=30s'));
    assert.equal(exists('configmap', 'b-parent', 'gc-or'), false);
    assert.equal(ok(k('get', 'configmap', 'b-child', '-n', 'gc-or', '-o', 'jsonpath={.metadata.ownerReferences}')), '');
    assert.equal(exists('secret', 'b-grandchild', 'gc-or'), true);
  });

  test('--cascade=background: the dependents go after the owner', async () => {
    ok(k('create', 'namespace', 'gc-bg'));
    chain('gc-bg', 'c');
    ok(k('delete', 'configmap', 'c-parent', '-n', 'gc-bg', '--cascade=background'));
    await waitFor(() => !exists('configmap', 'c-child', 'gc-bg') && !exists('secret', 'c-grandchild', 'gc-bg'), 'dependents collected', 20_000);
  });

  test('kubectl delete ns returns once the namespace is empty and gone; meanwhile it is Terminating and refuses new content', () => {
    ok(k('create', 'namespace', 'doomed'));
    chain('doomed', 'd');
    ok(s.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'doomed', finalizers: ['example.com/hold'] } }) }));
    ok(k('delete', 'namespace', 'doomed', '--wait=false'));
    assert.equal(ok(k('get', 'namespace', 'doomed', '-o', 'jsonpath={.status.phase}')), 'Terminating');
    assert.match(fails(k('create', 'configmap', 'late', '-n', 'doomed')),
      /forbidden: unable to create new content in namespace doomed because it is being terminated/);
    ok(k('patch', 'configmap', 'held', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'));
    assert.equal(ok(k('delete', 'namespace', 'doomed', '--timeout=60s')), 'namespace "doomed" deleted\n');
    assert.equal(fails(k('get', 'namespace', 'doomed')), 'Error from server (NotFound): namespaces "doomed" not found\n');
    ok(k('create', 'namespace', 'doomed'));
    assert.equal(ok(k('get', 'configmaps,secrets', '-n', 'doomed', '-o', 'name')), '', 'a namespace re-created with the name starts empty');
  });
});
