import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControllerExpectations, ExpectationsTimeoutMs } from './expectations.js';

test('satisfied once every expected creation and deletion is observed', () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
  assert.equal(e.satisfied('ns/rs'), true, 'nothing expected');
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), false, 'a deletion counts once per pod');
  e.deletionObserved('ns/rs', 'ns/b');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('expectations expire after five minutes', () => {
  let now = 1000;
  const e = new ControllerExpectations(() => now);
  e.expectCreations('ns/rs', 1);
  now += ExpectationsTimeoutMs;
  assert.equal(e.satisfied('ns/rs'), false);
  now += 1;
  assert.equal(e.satisfied('ns/rs'), true);
});
