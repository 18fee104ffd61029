import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.js';
import {
  FLAG_FIN, FrameParser, HeaderDeflater, HeaderInflater, adler32, encodeData, encodeGoAway, encodePing,
  encodeRstStream, encodeSettings, encodeSynReply, encodeSynStream, encodeWindowUpdate,
} from './spdy-frames.js';
import { SpdyConnection, type SpdyStream } from './spdy.js';

test('the SPDY/3 dictionary is the 1423 bytes every peer primes zlib with', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY_DICTIONARY), 0xe3c6a7c2);
  assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY_DICTIONARY.toString('latin1').endsWith('utf-,*,enq=0.'));
});

test('every frame type survives encoding and parsing, also fed one byte at a time', () => {
  const block = Buffer.from('hdr');
  const wire = Buffer.concat([
    encodeSynStream(1, block, FLAG_FIN, 2), encodeSynReply(1, block), encodeData(3, Buffer.from('hello'), FLAG_FIN),
    encodeRstStream(5, 5), encodeSettings([{ id: 7, value: 65536 }]), encodePing(9), encodeGoAway(11, 0),
    encodeWindowUpdate(1, 1000), encodeData(7, Buffer.alloc(0)),
  ]);
  const parser = new FrameParser();
  const frames = [];
  for (const b of wire) frames.push(...parser.push(Buffer.from([b])));
  assert.deepEqual(frames, [
    { type: 'SYN_STREAM', streamId: 1, associatedId: 0, priority: 2, flags: FLAG_FIN, block },
    { type: 'SYN_REPLY', streamId: 1, flags: 0, block },
    { type: 'DATA', streamId: 3, flags: FLAG_FIN, data: Buffer.from('hello') },
    { type: 'RST_STREAM', streamId: 5, status: 5 },
    { type: 'SETTINGS', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] },
    { type: 'PING', id: 9 },
    { type: 'GOAWAY', lastGoodStreamId: 11, status: 0 },
    { type: 'WINDOW_UPDATE', streamId: 1, delta: 1000 },
    { type: 'DATA', streamId: 7, flags: 0, data: Buffer.alloc(0) },
  ]);
});

test('a frame of another SPDY version is a protocol error', () => {
  const frame = encodePing(1);
  frame.writeUInt16BE(0x8002, 0);
  assert.throws(() => new FrameParser().push(frame), /unsupported SPDY version 2/);
});

test('outgoing header blocks form one zlib stream that a standard inflater reads block by block', async () => {
  const d = new HeaderDeflater();
  const first = d.compress({ streamtype: 'error', port: '80' });
  const second = d.compress({ streamtype: 'data', big: 'x'.repeat(70_000) });
  // Each block ends as a sync flush does, with an empty stored block (Go's inflater needs it).
  for (const b of [first, second]) assert.deepEqual(b.subarray(-5), Buffer.from([0, 0, 0, 0xff, 0xff]));
  const z = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  z.write(first);
  await new Promise<void>((r) => z.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
  const a = Buffer.concat(out.splice(0));
  assert.equal(a.readUInt32BE(0), 2);
  assert.match(a.toString('latin1'), /streamtype.*error.*port.*80/s);
  z.write(second);
  await new Promise<void>((r) => z.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
  assert.equal(Buffer.concat(out).length, 4 + 4 + 10 + 4 + 4 + 4 + 3 + 4 + 70_000);
  z.destroy();
});

test('incoming header blocks compressed by a real deflater with the dictionary are read in order', async () => {
  // As Go's framer does: one deflate stream, a Z_SYNC_FLUSH after every block.
  const z = zlib.createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const block = async (raw: Buffer) => {
    z.write(raw);
    await new Promise<void>((r) => z.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    return Buffer.concat(chunks.splice(0));
  };
  const { encodeHeaderBlock } = await import('./spdy-frames.js');
  const b1 = await block(encodeHeaderBlock({ streamtype: 'stdout' }));
  const b2 = await block(encodeHeaderBlock({ streamtype: 'stderr', 'x-extra': 'a\0b' }));
  const inf = new HeaderInflater();
  assert.deepEqual(await inf.inflate(b1), { streamtype: 'stdout' });
  assert.deepEqual(await inf.inflate(b2), { streamtype: 'stderr', 'x-extra': 'a\0b' });
  await assert.rejects(inf.inflate(Buffer.from('garbage that is not deflate')), /SPDY header block/);
  inf.close();
  z.destroy();
});

/** A client and a server SPDY connection over a loopback TCP pair. */
async function pair(): Promise<{ client: SpdyConnection; server: SpdyConnection; close(): void }> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'connection');
  const sock = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
  const [serverSock] = (await accepted) as [net.Socket];
  const client = new SpdyConnection(sock, { client: true });
  const server = new SpdyConnection(serverSock, { client: false });
  return { client, server, close: () => { sock.destroy(); serverSock.destroy(); srv.close(); } };
}

/** Reads to the peer's FIN without destroying the stream (as `for await` would), so it can still write. */
function readAll(s: SpdyStream): Promise<string> {
  const parts: Buffer[] = [];
  s.on('data', (c: Buffer) => parts.push(c));
  return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(parts).toString())));
}

test('streams open with headers, carry data both ways and half-close independently', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  p.server.on('stream', (s: SpdyStream) => {
    assert.deepEqual(s.headers, { streamtype: 'stdin', port: '8080' });
    s.reply({ ok: 'yes' });
    void readAll(s).then((text) => {
      s.write(`got ${text.length} bytes`);
      s.end();
    });
  });
  const s = await p.client.createStream({ streamtype: 'stdin', port: '8080' });
  assert.deepEqual(s.replyHeaders, { ok: 'yes' });
  s.end('a'.repeat(200_000));
  assert.equal(await readAll(s), 'got 200000 bytes');
});

test('a reset stream ends for its reader after the data that came first; a refused one rejects createStream', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  p.server.on('stream', (s: SpdyStream) => {
    if (s.headers.streamtype === 'refuse') return s.reset();
    s.reply();
    s.write('status');
    setImmediate(() => s.reset());
  });
  await assert.rejects(p.client.createStream({ streamtype: 'refuse' }), /refused by the peer \(status 5\)/);
  const s = await p.client.createStream({ streamtype: 'ok' });
  const closed = once(s, 'close');
  assert.equal(await readAll(s), 'status');
  assert.equal(s.resetStatus, 5);
  await closed;
});

test('pings are answered; the socket closing ends open streams and rejects new ones', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  p.server.on('stream', (s: SpdyStream) => { s.reply(); s.write('partial'); });
  await p.client.ping();
  await p.server.ping();
  const s = await p.client.createStream({ streamtype: 'x' });
  const text = readAll(s);
  const closed = once(p.client, 'close');
  setTimeout(() => p.server.close(), 20);
  await closed;
  assert.equal(await text, 'partial');
  await assert.rejects(p.client.createStream({ streamtype: 'y' }), /closed/);
});

test('a frame of another protocol version closes the connection instead of throwing', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  const errors: Error[] = [];
  p.client.on('error', (e) => errors.push(e));
  // events.once would reject on the 'error' that comes first.
  const closed = new Promise((resolve) => p.client.once('close', resolve));
  const spdy2Ping = encodePing(1);
  spdy2Ping.writeUInt16BE(0x8002, 0);
  (p.server as unknown as { socket: net.Socket }).socket.write(spdy2Ping);
  await closed;
  assert.match(errors[0]?.message ?? '', /SPDY version/);
});

test('a stream the peer does not accept in time is given up', async (t) => {
  const p = await pair();
  t.after(() => p.close());
  p.server.on('stream', () => { /* never replies */ });
  await assert.rejects(p.client.createStream({ streamtype: 'slow' }, { timeoutMs: 50 }), /not accepted within 50 ms/);
});
