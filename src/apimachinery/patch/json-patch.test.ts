import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import { applyJSONPatch } from './json-patch.js';
import type { JSONValue } from './json.js';

const ok: { name: string; doc: JSONValue; patch: JSONValue; want: JSONValue }[] = [
  // RFC 6902 appendix A.
  { name: 'add adds an object member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], want: { foo: 'bar', baz: 'qux' } },
  { name: 'add inserts into an array at an index', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], want: { foo: ['bar', 'qux', 'baz'] } },
  { name: 'remove removes an object member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], want: { foo: 'bar' } },
  { name: 'remove removes an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], want: { foo: ['bar', 'baz'] } },
  { name: 'replace replaces a value', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], want: { baz: 'boo', foo: 'bar' } },
  {
    name: 'move moves a value between objects',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    want: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  { name: 'move reorders an array', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], want: { foo: ['all', 'cows', 'eat', 'grass'] } },
  { name: 'add with - appends to an array', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], want: { foo: ['bar', ['abc', 'def']] } },
  { name: 'test passes on an equal value', doc: { baz: 'qux', foo: ['a', 2, 'c'] }, patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], want: { baz: 'qux', foo: ['a', 2, 'c'] } },
  { name: 'add creates a nested object value', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], want: { foo: 'bar', child: { grandchild: {} } } },
  { name: 'keys with ~1 and ~0 are unescaped', doc: { 'a/b': 1, 'm~n': 2 }, patch: [{ op: 'replace', path: '/a~1b', value: 3 }, { op: 'remove', path: '/m~0n' }], want: { 'a/b': 3 } },
  { name: 'copy duplicates a value', doc: { a: { b: 1 } }, patch: [{ op: 'copy', from: '/a', path: '/c' }], want: { a: { b: 1 }, c: { b: 1 } } },
  { name: 'test compares objects deeply regardless of key order', doc: { a: { x: 1, y: [1, 2] } }, patch: [{ op: 'test', path: '/a', value: { y: [1, 2], x: 1 } }], want: { a: { x: 1, y: [1, 2] } } },
  // Kubernetes-shaped documents, with the library's quirks kubectl users rely on.
  {
    name: 'a label is added to a pod',
    doc: { metadata: { name: 'p', labels: { app: 'web' } } },
    patch: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
    want: { metadata: { name: 'p', labels: { app: 'web', tier: 'front' } } },
  },
  { name: 'replace of a missing object member adds it, as upstream does', doc: { spec: {} }, patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }], want: { spec: { replicas: 3 } } },
  { name: 'a negative index counts from the end', doc: { a: [1, 2, 3] }, patch: [{ op: 'remove', path: '/a/-1' }], want: { a: [1, 2] } },
  { name: 'test of a missing member against null passes', doc: { a: {} }, patch: [{ op: 'test', path: '/a/b', value: null }], want: { a: {} } },
  { name: 'replace of the root swaps the document', doc: { a: 1 }, patch: [{ op: 'replace', path: '', value: { b: 2 } }], want: { b: 2 } },
];

for (const c of ok) {
  test(c.name, () => {
    const before = structuredClone(c.doc);
    assert.deepEqual(applyJSONPatch(c.doc, c.patch), c.want);
    assert.deepEqual(c.doc, before, 'the input document is not modified');
  });
}

const failures: { name: string; doc: JSONValue; patch: unknown; code: number; message: string; cause?: string }[] = [
  {
    name: 'a failed test is 422 with the library message as the cause',
    doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }],
    code: 422, message: 'the server rejected our request due to an error in our request', cause: 'testing value /baz failed: test failed',
  },
  {
    name: 'adding under a missing parent is 422',
    doc: { spec: {} }, patch: [{ op: 'add', path: '/spec/foo/bar', value: 1 }],
    code: 422, message: 'the server rejected our request due to an error in our request',
    cause: 'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
  },
  {
    name: 'replacing under a missing parent names the path',
    doc: { spec: {} }, patch: [{ op: 'replace', path: '/spec/foo/bar', value: 1 }],
    code: 422, message: 'the server rejected our request due to an error in our request',
    cause: 'replace operation does not apply: doc is missing path: /spec/foo/bar: missing value',
  },
  {
    name: 'removing a missing member is 422',
    doc: { a: {} }, patch: [{ op: 'remove', path: '/a/b' }],
    code: 422, message: 'the server rejected our request due to an error in our request',
    cause: "error in remove for path: '/a/b': Unable to remove nonexistent key: b: missing value",
  },
  {
    name: 'an index past the end is 422',
    doc: { a: [1] }, patch: [{ op: 'add', path: '/a/5', value: 1 }],
    code: 422, message: 'the server rejected our request due to an error in our request',
    cause: "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'a path without a leading slash is missing',
    doc: { a: 1 }, patch: [{ op: 'add', path: 'invalid', value: 1 }],
    code: 422, message: 'the server rejected our request due to an error in our request',
    cause: 'add operation does not apply: doc is missing path: "invalid": missing value',
  },
  {
    name: 'an unknown operation is 422',
    doc: {}, patch: [{ op: 'frobnicate', path: '/a' }],
    code: 422, message: 'the server rejected our request due to an error in our request', cause: 'Unexpected kind: frobnicate',
  },
  {
    name: 'a body that is an object is 400',
    doc: {}, patch: { op: 'add', path: '/a', value: 1 },
    code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  {
    name: 'more than 10000 operations is 413',
    doc: {}, patch: Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} })),
    code: 413, message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  },
];

for (const c of failures) {
  test(c.name, () => {
    assert.throws(() => applyJSONPatch(c.doc, c.patch), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, c.code);
      assert.equal(e.status.message, c.message);
      if (c.cause) {
        assert.equal(e.reason, 'Invalid');
        assert.deepEqual(e.status.details?.causes, [{ reason: 'UnexpectedServerResponse', message: c.cause }]);
      }
      return true;
    });
  });
}

test('a failed operation leaves earlier operations unapplied to the caller', () => {
  const doc = { a: 1 };
  assert.throws(() => applyJSONPatch(doc, [{ op: 'replace', path: '/a', value: 2 }, { op: 'test', path: '/a', value: 3 }]));
  assert.deepEqual(doc, { a: 1 });
});
