import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOP_BY_HOP } from '../headers.js';
import { clientResponseHead, parseResponseHead } from './response-head.js';

/** Parses `head` (without its blank line) as it arrives: after `before` bytes, with the blank line and `after` behind it. */
function parse(head: string, before = '', after = '') {
  const buf = Buffer.from(`${before}${head}\r\n\r\n${after}`, 'latin1');
  return parseResponseHead(buf, before.length, before.length + head.length);
}

test('response heads: status, version, framing fields; garbage is undefined', () => {
  const r = parse('HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\nX-Request-ID: up')!;
  assert.deepEqual([r.status, r.minor, r.contentLength, r.connection, r.transferEncoding], [404, 0, 0, 'close', undefined]);
  assert.equal(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\ntransfer-encoding:  chunked ')!.transferEncoding, 'gzip,chunked');
  assert.ok(Number.isNaN(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2')!.contentLength));
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5')!.contentLength, 5);
  assert.equal(parse('HTTP/1.1 200\r\nX: y')!.status, 200, 'an empty reason phrase is allowed');
  assert.deepEqual(['close', 'keep-alive, Close', 'Upgrade,close ', 'closed', 'keep-alive'].map((c) => parse(`HTTP/1.1 200 OK\r\nConnection: ${c}`)!.closes),
    [true, true, true, false, false]);
  assert.equal(parse('HTTP/1.1 204 No Content')!.kept.length, 0, 'a head without fields');
  for (const bad of ['SSH-2.0-OpenSSH', 'HTTP/1.1 200 OK\r\nbad line', 'HTTP/2.0 200 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1 200 OK\r\n folded: x',
    'HTTP/1.1 200 OK\r\nX : y', 'HTTP/1.1 200 OK\r\nX: a\x00b', 'HTTP/1.1 200 OK\r\nX: a\rb', 'HTTP/1.1 200 OK\r\nX: a\nY: b', 'HTTP/1.1 200 OK\r\n: y']) {
    assert.equal(parse(bad), undefined, JSON.stringify(bad));
  }
});

test('the client gets HTTP/1.1, the end-to-end fields as sent, the proxy fields and the first body bytes', () => {
  const r = parse('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\nX-Secret: s\r\n'
    + 'Content-Length: 5\r\nX-Request-ID: up\r\nx-other:  v ', 'junk before', 'hello')!;
  const out = clientResponseHead(r, 'X-Request-ID: id\r\n', r.bytes, r.bytes.length - 5, r.bytes.length).toString('latin1');
  assert.equal(out, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nx-other:  v \r\nX-Request-ID: id\r\n\r\nhello');
  assert.equal(clientResponseHead(parse('HTTP/1.1 304 Not Modified')!, '').toString('latin1'), 'HTTP/1.1 304 Not Modified\r\n\r\n');
});

test('every hop-by-hop field is dropped, in any case', () => {
  for (const name of HOP_BY_HOP) {
    const r = parse(`HTTP/1.1 200 OK\r\nA: 1\r\n${name.toUpperCase()}: x\r\n${name}: y\r\nB: 2`)!;
    assert.equal(clientResponseHead(r, '').toString('latin1'), 'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n', name);
  }
});
