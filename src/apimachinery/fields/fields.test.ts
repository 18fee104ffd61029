/** @module Tests for field selectors: syntax, per-kind labels with upstream errors, matching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../../api/scheme.js';
import { fieldSelectorString, fieldsOf, matchesFields, parseFieldSelector, parseFieldTerms } from './index.js';

const syntax: { name: string; input: string; want: string }[] = [
  { name: 'an empty selector has no terms', input: '', want: '' },
  { name: 'double equals prints as equals and terms are sorted', input: 'metadata.namespace!=b,metadata.name==a', want: 'metadata.name=a,metadata.namespace!=b' },
  { name: 'escaped commas stay in the value', input: 'a=x\\,y', want: 'a=x\\,y' },
];
for (const c of syntax) test(c.name, () => assert.equal(fieldSelectorString(parseFieldTerms(c.input)), c.want));

const errors: { name: string; kind: string; input: string; message: string }[] = [
  { name: 'a term without an operator', kind: 'Pod', input: 'a', message: "invalid selector: 'a'; can't understand 'a'" },
  { name: 'an unknown escape', kind: 'Pod', input: 'a=\\x', message: 'invalid field selector: invalid escape sequence: \\x' },
  { name: 'an unescaped equals sign in a value', kind: 'Pod', input: 'a=b=c', message: 'invalid field selector: unescaped character in value: 61' },
  { name: 'an unsupported pod field', kind: 'Pod', input: 'spec.foo=x', message: 'field label not supported: spec.foo' },
  { name: 'message on events', kind: 'Event', input: 'message=whatever', message: 'field label not supported: message' },
  { name: 'metadata.namespace on nodes', kind: 'Node', input: 'metadata.namespace=x', message: 'field label not supported: metadata.namespace' },
  { name: 'status.replicas on replicasets, as upstream', kind: 'ReplicaSet', input: 'status.replicas=0',
    message: '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"' },
  { name: 'any other field of a kind without its own list', kind: 'Ingress', input: 'foo.bar=baz',
    message: '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"' },
];
for (const c of errors) {
  test(`rejects ${c.name}`, () => assert.throws(() => parseFieldSelector(c.kind, c.input), { message: c.message, name: 'StatusError' }));
}

const pod = {
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }] },
};
const matching: { name: string; kind: string; selector: string; obj: object; want: boolean }[] = [
  { name: 'a pod matches its node', kind: 'Pod', selector: 'spec.nodeName=n1', obj: pod, want: true },
  { name: 'spec.host is the old name of spec.nodeName', kind: 'Pod', selector: 'spec.host=n1', obj: pod, want: true },
  { name: 'hostNetwork defaults to false', kind: 'Pod', selector: 'spec.hostNetwork=false', obj: pod, want: true },
  { name: 'not-equal excludes the phase', kind: 'Pod', selector: 'status.phase!=Running', obj: pod, want: false },
  { name: 'the pod IP is the first of podIPs', kind: 'Pod', selector: 'status.podIP=10.0.0.5,metadata.namespace=default', obj: pod, want: true },
  { name: 'a secret matches its type', kind: 'Secret', selector: 'type=Opaque', obj: { metadata: { name: 's' }, type: 'Opaque' }, want: true },
  { name: 'event source falls back to the reporting controller', kind: 'Event', selector: 'source=kubelet',
    obj: { metadata: { name: 'e' }, reportingComponent: 'kubelet' }, want: true },
  { name: 'a job counts successes', kind: 'Job', selector: 'status.successful=0', obj: { metadata: { name: 'j' } }, want: true },
];
for (const c of matching) {
  test(c.name, () => assert.equal(matchesFields(parseFieldSelector(c.kind, c.selector), c.kind, c.obj), c.want));
}

test('events.k8s.io names map onto the core field set', () => {
  const t = lookupResource('events.k8s.io', 'v1', 'events')!;
  const sel = parseFieldSelector(t, 'regarding.name=web-1,reportingController=kubelet');
  const ev = { metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'web-1' }, reportingController: 'kubelet' };
  assert.equal(matchesFields(sel, t, ev), true);
  assert.throws(() => parseFieldSelector(t, 'source=x'), { message: 'field label not supported: source' });
});

test('fieldsOf lists every selectable field of a node', () => {
  assert.deepEqual(fieldsOf('Node', { metadata: { name: 'n1' }, spec: { unschedulable: true } }),
    { 'metadata.name': 'n1', 'spec.unschedulable': 'true' });
});
