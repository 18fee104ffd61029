import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkedBody, lengthBody, untilCloseBody } from './body.js';
import { clientKeepsAlive, HeadError, parseRequestHead, REQUEST_DROP } from './head.js';

test('request heads: method, target, version, lower-cased fields, repeated fields kept in order', () => {
  const h = parseRequestHead('GET /a?b=1 HTTP/1.1\r\nHost: app.test\r\nX-A:  one \r\nx-a: two\r\nCookie: c=1');
  assert.deepEqual([h.method, h.target, h.minor], ['GET', '/a?b=1', 1]);
  assert.equal(h.host, 'app.test');
  assert.deepEqual(h.headers['x-a'], ['one', 'two']);
  assert.equal(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nhost: b').host, undefined, 'a repeated Host is no host');
  assert.equal(parseRequestHead('GET / HTTP/1.0\r\nHost: a').minor, 0);
});

test('bad request heads get the status nginx gives them', () => {
  const cases: [string, number][] = [
    ['GET /', 400],
    ['GET / HTTP/2.0\r\nHost: a', 505],
    ['G@T / HTTP/1.1\r\nHost: a', 400],
    ['GET / HTTP/1.1\r\nHost : a', 400],
    ['GET / HTTP/1.1\r\nHost: a\r\n folded', 400],
    ['GET / HTTP/1.1\r\nNoColon', 400],
    ['GET / HTTP/1.1\r\nX: a\x01b', 400],
    ['POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', 400],
    ['POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4', 400],
    ['POST / HTTP/1.1\r\nContent-Length: -1', 400],
    ['POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 400],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip', 501],
  ];
  for (const [text, status] of cases) {
    assert.throws(() => parseRequestHead(text), (e: unknown) => e instanceof HeadError && e.status === status, JSON.stringify(text));
  }
  assert.equal(parseRequestHead('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5').contentLength, 5, 'equal repeats are one length');
});

test('keep-alive: HTTP/1.1 unless Connection: close, HTTP/1.0 only with Connection: keep-alive', () => {
  assert.equal(clientKeepsAlive(parseRequestHead('GET / HTTP/1.1\r\nHost: a')), true);
  assert.equal(clientKeepsAlive(parseRequestHead('GET / HTTP/1.1\r\nConnection: Close')), false);
  assert.equal(clientKeepsAlive(parseRequestHead('GET / HTTP/1.0\r\nHost: a')), false);
  assert.equal(clientKeepsAlive(parseRequestHead('GET / HTTP/1.0\r\nConnection: keep-alive')), true);
});

test('request fields passed on: hop-by-hop ones, those Connection names and the forwarding ones dropped, the rest as sent', () => {
  const h = parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n'
    + 'X-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\nX-Request-ID: abc\r\nAccept: */*');
  assert.equal(h.passOn(h.connection, REQUEST_DROP), 'Host: a\r\nAccept: */*\r\n');
  assert.equal(h.forwardedFor, '1.2.3.4, 5.6.7.8');
  assert.equal(h.requestId, 'abc');
});

/** Feeds the buffers one after another; returns the payload and the index past the body in the last buffer consumed. */
function feed(framer: ReturnType<typeof chunkedBody>, parts: string[]): { payload: string; end: number; at: number } {
  let payload = '';
  let end = 0;
  let at = 0;
  for (const [i, p] of parts.entries()) {
    const buf = Buffer.from(p, 'latin1');
    end = framer.consume(buf, 0, { payload: (b, s, e) => { payload += b.toString('latin1', s, e); } });
    at = i;
    if (framer.done || framer.error) break;
  }
  return { payload, end, at };
}

test('chunked bodies: payload across any split, extensions and trailers, bytes past the end left over', () => {
  const whole = '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nGET /next';
  for (let cut = 1; cut < whole.length - 9; cut++) {
    const r = feed(chunkedBody(), [whole.slice(0, cut), whole.slice(cut)]);
    assert.equal(r.payload, 'hello world', `cut at ${cut}`);
    assert.equal(r.at === 0 ? whole.slice(r.end) : whole.slice(cut).slice(r.end), 'GET /next', `cut at ${cut}`);
  }
  const upper = feed(chunkedBody(), ['A\r\n0123456789\r\n0\r\n\r\n']);
  assert.equal(upper.payload, '0123456789', 'hex sizes in either case');
});

test('broken chunk framing is an error, not a hang', () => {
  for (const bad of ['x\r\n', '5\r\nhelloXX', '5\n', 'fffffffffffff\r\n']) {
    const f = chunkedBody();
    f.consume(Buffer.from(bad, 'latin1'), 0);
    assert.ok(f.error, JSON.stringify(bad));
  }
});

test('Content-Length bodies end after their length; close-delimited ones at close', () => {
  const f = lengthBody(4);
  assert.equal(f.consume(Buffer.from('ab'), 0), 2);
  assert.equal(f.done, false);
  assert.equal(f.consume(Buffer.from('cdEF'), 0), 2);
  assert.equal(f.done, true);
  assert.equal(lengthBody(0).done, true);
  const c = untilCloseBody();
  assert.equal(c.consume(Buffer.from('abc'), 1), 3);
  assert.equal(c.done, false);
  assert.equal(c.closed(), true);
  assert.equal(c.done, true);
});

test('absolute-form targets: routed and passed on by the target\'s host, which replaces the Host field; the target becomes origin form', () => {
  const h = parseRequestHead('GET http://app.test:8080/a/b?c=1 HTTP/1.1\r\nHost: other.test\r\nAccept: */*');
  assert.deepEqual([h.target, h.host], ['/a/b?c=1', 'app.test:8080']);
  assert.equal(h.passOn(h.connection, REQUEST_DROP), 'Host: app.test:8080\r\nAccept: */*\r\n');
  const bare = parseRequestHead('GET HTTPS://app.test?q HTTP/1.0');
  assert.deepEqual([bare.target, bare.host], ['/?q', 'app.test']);
  assert.equal(bare.passOn(bare.connection, REQUEST_DROP), 'Host: app.test\r\n', 'a Host field is made when none was sent');
  assert.equal(parseRequestHead('GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\nHost: b.test').host, undefined, 'two Host fields stay a bad request');
  for (const target of ['http://user@a.test/', 'ftp://a.test/', '*', 'a.test/x']) {
    const other = parseRequestHead(`GET ${target} HTTP/1.1\r\nHost: a.test`);
    assert.equal(other.target, target, `${target} is left for routing to refuse`);
  }
});
