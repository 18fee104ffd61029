/** @module CIDRSet: next-fit allocation, occupying CIDRs of other sizes, ranges outside, shared holders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CIDRSet } from './cidr-set.js';

test('subnets are handed out in order, after the last one given, wrapping; none when all are held', () => {
  const s = new CIDRSet('10.1.0.0/22', 24);
  assert.deepEqual(['a', 'b', 'c'].map((n) => s.allocateNext(n)), ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24']);
  s.release('10.1.0.0/24', 'a');
  assert.equal(s.allocateNext('d'), '10.1.3.0/24', 'a freed subnet is not reused while others are free');
  assert.equal(s.allocateNext('e'), '10.1.0.0/24');
  assert.equal(s.free, 0);
  assert.equal(s.allocateNext('f'), undefined);
});

test('occupying a larger or smaller CIDR marks the subnets it overlaps; CIDRs outside the range are refused', () => {
  const s = new CIDRSet('10.1.0.0/22', 24);
  assert.equal(s.occupy('10.1.0.0/23', 'big'), true);
  assert.equal(s.occupy('10.1.2.128/25', 'small'), true);
  assert.equal(s.free, 1);
  assert.equal(s.allocateNext('n'), '10.1.3.0/24');
  assert.equal(s.occupy('10.1.4.0/24', 'x'), false);
  assert.equal(s.occupy('10.0.0.0/16', 'x'), false);
  assert.equal(s.occupy('fd00::/64', 'x'), false);
  assert.equal(s.occupy('bogus', 'x'), false);
  s.release('10.1.0.0/23', 'big');
  assert.equal(s.free, 2);
});

test('a subnet two nodes hold stays used until both let go', () => {
  const s = new CIDRSet('10.1.0.0/23', 24);
  s.occupy('10.1.0.0/24', 'a');
  s.occupy('10.1.0.0/24', 'b');
  s.release('10.1.0.0/24', 'a');
  assert.equal(s.free, 1);
  s.release('10.1.0.0/24', 'b');
  assert.equal(s.free, 2);
});
