/** @module Query parsing and response building: case, EDNS, bad packets, truncation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket, { type Answer } from 'dns-packet';
import { buildResponse, parseQuery, QType, RCode, udpLimit, type Query } from './wire.js';

const encodeQuery = (name: string, additionals: Answer[] = []) =>
  dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }], additionals });

function parsed(buf: Buffer): Query {
  const r = parseQuery(buf);
  assert.ok('query' in r);
  return r.query;
}

test('a query keeps its name as sent and lower-cased, its type and EDNS size', () => {
  const q = parsed(encodeQuery('Web.Default.SVC.cluster.local', [{ type: 'OPT', name: '.', udpPayloadSize: 1400 } as Answer]));
  assert.equal(q.rawName, 'Web.Default.SVC.cluster.local');
  assert.equal(q.name, 'web.default.svc.cluster.local');
  assert.equal(q.type, QType.A);
  assert.equal(q.id, 7);
  assert.equal(udpLimit(q), 1400);
  assert.equal(udpLimit(parsed(encodeQuery('x'))), 512);
});

test('bad packets: runts and responses are dropped, a broken body is FORMERR, other opcodes NOTIMP', () => {
  assert.ok('drop' in parseQuery(Buffer.from([1, 2, 3])));
  const response = encodeQuery('x');
  response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
  assert.ok('drop' in parseQuery(response));
  const cut = encodeQuery('web.default').subarray(0, 16);
  const formerr = parseQuery(cut);
  assert.ok('reply' in formerr && (formerr.reply.readUInt16BE(2) & 0xf) === RCode.FORMERR);
  const pointer = Buffer.concat([encodeQuery('').subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.ok('reply' in parseQuery(pointer));
  const notify = encodeQuery('x');
  notify.writeUInt16BE(4 << 11, 2);
  const notimp = parseQuery(notify);
  assert.ok('reply' in notimp && (notimp.reply.readUInt16BE(2) & 0xf) === RCode.NOTIMP);
});

test('a response echoes the question bytes and cuts answers to the UDP limit with TC', () => {
  const q = parsed(encodeQuery('Big.default.svc.cluster.local'));
  const answers: Answer[] = Array.from({ length: 40 }, (_, i) => ({ type: 'A', name: q.name, ttl: 5, data: `10.0.0.${i}` }));
  const reply = { rcode: RCode.NOERROR, authoritative: true, answers, authorities: [], additionals: [] };
  const whole = dnsPacket.decode(buildResponse(q, reply));
  assert.equal(whole.answers!.length, 40);
  assert.equal(whole.questions![0]!.name, 'Big.default.svc.cluster.local');
  const cut = buildResponse(q, reply, 512);
  assert.ok(cut.length <= 512);
  const d = dnsPacket.decode(cut);
  assert.equal(d.flag_tc, true);
  assert.equal(d.flag_aa, true);
  assert.ok(d.answers!.length >= 5 && d.answers!.length < 40);
});
