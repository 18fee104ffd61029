import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, parseRoute, type Route } from './routes.js';

const cases: { name: string; path: string; want: Route | undefined }[] = [
  { name: 'container logs', path: '/containerLogs/default/web/main', want: { kind: 'containerLogs', pod: { namespace: 'default', name: 'web' }, container: 'main' } },
  { name: 'exec without a uid', path: '/exec/ns/pod/c', want: { kind: 'exec', pod: { namespace: 'ns', name: 'pod' }, container: 'c' } },
  { name: 'attach with a uid', path: '/attach/ns/pod/1234/c', want: { kind: 'attach', pod: { namespace: 'ns', name: 'pod', uid: '1234' }, container: 'c' } },
  { name: 'port forward', path: '/portForward/ns/pod', want: { kind: 'portForward', pod: { namespace: 'ns', name: 'pod' } } },
  { name: 'port forward with a uid', path: '/portForward/ns/pod/u', want: { kind: 'portForward', pod: { namespace: 'ns', name: 'pod', uid: 'u' } } },
  { name: 'percent-encoded segments', path: '/exec/ns/a%2Db/c', want: { kind: 'exec', pod: { namespace: 'ns', name: 'a-b' }, container: 'c' } },
  { name: 'health', path: '/healthz', want: { kind: 'healthz' } },
  { name: 'logs missing the container', path: '/containerLogs/default/web', want: undefined },
  { name: 'an empty segment', path: '/exec/ns//c', want: undefined },
  { name: 'bad percent-encoding', path: '/exec/ns/%zz/c', want: undefined },
  { name: 'an unknown path', path: '/runningpods', want: undefined },
];

for (const c of cases) test(`route: ${c.name}`, () => assert.deepEqual(parseRoute(c.path), c.want));

test('boolean flags read "1" (the API server\'s form) and "true"', () => {
  const q = new URLSearchParams('stdin=1&stdout=true&stderr=0&tty=false');
  assert.deepEqual(['stdin', 'stdout', 'stderr', 'tty', 'missing'].map((f) => flag(q, f)), [true, true, false, false, false]);
});
