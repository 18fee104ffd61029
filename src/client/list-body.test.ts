/** @module parseBody: a list too large for one string decodes to what JSON.parse gives for a small one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBody } from './list-body.js';

const list = {
  kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '42', note: 'has "items":[ inside, and ] , { }' },
  items: [
    { metadata: { name: 'a', annotations: { 'x': 'quote \\" and brackets ]}[{,' } }, spec: { list: [1, [2, 3], { y: 'ü' }] } },
    { metadata: { name: 'b' }, tail: [] },
    'a string element, with a comma',
    7,
  ],
  after: { items: ['not the top-level one'] },
};

test('parseBody: small bodies are one JSON.parse', () => {
  assert.deepEqual(parseBody(Buffer.from(JSON.stringify(list))), list);
});

test('parseBody: a body over the one-string limit is decoded item by item, with the same result', () => {
  for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
    assert.deepEqual(parseBody(Buffer.from(text), 10), list);
  }
  assert.deepEqual(parseBody(Buffer.from('{"kind":"PodList","items":[]}'), 10), { kind: 'PodList', items: [] });
});

test('parseBody: a large body that is no list is refused', () => {
  assert.throws(() => parseBody(Buffer.from(JSON.stringify({ kind: 'Pod', spec: { containers: [] } })), 10), /not a list/);
});
