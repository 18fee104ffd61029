/** @module Table tests for ImageLocality. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod, runScore } from '../../testing/builders.js';
import { New, normalizedImageName } from './image-locality.js';

const MB = 1024 * 1024;
const withImage = (name: string, image: string, size: number) => makeNode(name, { images: [{ names: [image], sizeBytes: size }] });
const podWith = (image: string) => makePod({ spec: { containers: [{ name: 'c', image }] } });

const cases = [
  { name: 'a node with a large image everywhere scores by its size',
    nodes: [withImage('a', 'big:1', 500 * MB), withImage('b', 'big:1', 500 * MB)], pod: podWith('big:1'), want: [48, 48] },
  { name: 'an image on half the nodes counts half its size', nodes: [withImage('a', 'big:1', 500 * MB), makeNode('b')], pod: podWith('big:1'), want: [23, 0] },
  { name: 'images below the 23 MB threshold score 0', nodes: [withImage('a', 'small:1', 10 * MB)], pod: podWith('small:1'), want: [0] },
  { name: 'an untagged image matches :latest', nodes: [withImage('a', 'big:latest', 2000 * MB)], pod: podWith('big'), want: [100] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runScore(New, c.pod, c.nodes).map((s) => s.score), c.want));

test('normalizedImageName adds :latest only without a tag', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizedImageName('app:1.2'), 'app:1.2');
});
