/**
 * @module Probe ports as the kubelet resolves them: numbers, named container ports, numbers
 * written as strings, and the errors for anything else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolvePort } from './prober.js';

const container = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'zero', containerPort: 0 }] };

const cases: { name: string; port: unknown; want: number | RegExp }[] = [
  { name: 'a number', port: 80, want: 80 },
  { name: 'a named container port', port: 'http', want: 8080 },
  { name: 'a number written as a string', port: '9090', want: 9090 },
  { name: 'an unknown name', port: 'metrics', want: /^port metrics not found$/ },
  { name: 'zero', port: 0, want: /^invalid port number: 0$/ },
  { name: 'a named port of 0', port: 'zero', want: /^invalid port number: 0$/ },
  { name: 'too large', port: 70000, want: /^invalid port number: 70000$/ },
  { name: 'missing', port: undefined, want: /^port undefined not found$/ },
];

for (const c of cases) {
  test(`resolvePort: ${c.name}`, () => {
    if (typeof c.want === 'number') assert.equal(resolvePort(c.port, container), c.want);
    else assert.throws(() => resolvePort(c.port, container), { message: c.want });
  });
}
