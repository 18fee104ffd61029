/**
 * @module DNS messages on the wire: a strict parser for the one-question queries a stub resolver
 * sends (header, question, EDNS OPT), and responses built from the query's own question bytes plus
 * records encoded by dns-packet, cut to fit a UDP reply (TC bit) as RFC 1035/6891 ask.
 */
import dnsPacket, { type Answer } from 'dns-packet';

export const QType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const ClassIN = 1;

/** Without EDNS a UDP answer holds 512 bytes (RFC 1035); with it, what the client says, capped. */
export const MinUDPSize = 512;
const MaxUDPSize = 4096;
/** The payload size this server advertises in its own OPT record (the DNS flag day's value). */
const OurUDPSize = 1232;

const QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080;

export interface Query {
  id: number;
  /** The query's flag bits (RD and CD are echoed back). */
  flags: number;
  /** The name as sent, lower-cased, without the trailing dot ("" for the root). */
  name: string;
  /** The name exactly as sent (a cache key: 0x20-randomised case comes back as it went). */
  rawName: string;
  type: number;
  class: number;
  /** The question section's bytes, copied into the response as they are. */
  question: Buffer;
  /** Present when the query carried an OPT record. */
  edns?: { udpSize: number; do: boolean };
}

/** Why a packet could not be read: answerable with an rcode (header intact), or not at all. */
export type ParseResult = { query: Query } | { reply: Buffer } | { drop: string };

/** Parses a query. Responses and runts are dropped; a readable header with a bad body gets FORMERR/NOTIMP. */
export function parseQuery(buf: Buffer): ParseResult {
  if (buf.length < 12) return { drop: 'shorter than a header' };
  const id = buf.readUInt16BE(0), flags = buf.readUInt16BE(2);
  if (flags & QR) return { drop: 'a response, not a query' };
  const fail = (rcode: number): ParseResult => ({ reply: header(id, (flags & RD) | RA | rcode, 0, 0, 0, 0) });
  if (((flags >> 11) & 0xf) !== 0) return fail(RCode.NOTIMP);
  const qd = buf.readUInt16BE(4), an = buf.readUInt16BE(6), ns = buf.readUInt16BE(8), ar = buf.readUInt16BE(10);
  if (qd !== 1) return fail(RCode.FORMERR);
  const labels: string[] = [];
  let off = 12, length = 1;
  for (;;) {
    if (off >= buf.length) return fail(RCode.FORMERR);
    const len = buf[off++]!;
    if (len === 0) break;
    // Compression pointers (and the reserved label types) have no place in a lone question.
    if (len > 63 || off + len > buf.length) return fail(RCode.FORMERR);
    length += len + 1;
    if (length > 255) return fail(RCode.FORMERR);
    labels.push(buf.toString('latin1', off, off + len));
    off += len;
  }
  if (off + 4 > buf.length) return fail(RCode.FORMERR);
  const type = buf.readUInt16BE(off), qclass = buf.readUInt16BE(off + 2);
  off += 4;
  const rawName = labels.join('.');
  const query: Query = { id, flags, name: rawName.toLowerCase(), rawName, type, class: qclass, question: Buffer.from(buf.subarray(12, off)) };
  // EDNS: an OPT record in the additional section (skipping whatever precedes it).
  if (an === 0 && ns === 0) {
    for (let i = 0; i < ar; i++) {
      const nameEnd = skipName(buf, off);
      if (nameEnd < 0 || nameEnd + 10 > buf.length) return fail(RCode.FORMERR);
      const rrType = buf.readUInt16BE(nameEnd), rdLen = buf.readUInt16BE(nameEnd + 8);
      if (rrType === QType.OPT) {
        query.edns = { udpSize: Math.min(MaxUDPSize, Math.max(MinUDPSize, buf.readUInt16BE(nameEnd + 2))), do: (buf.readUInt16BE(nameEnd + 6) & 0x8000) !== 0 };
      }
      off = nameEnd + 10 + rdLen;
      if (off > buf.length) return fail(RCode.FORMERR);
    }
  }
  return { query };
}

function skipName(buf: Buffer, off: number): number {
  while (off < buf.length) {
    const len = buf[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len > 63) return -1;
    off += len + 1;
  }
  return -1;
}

export interface Reply {
  rcode: number;
  /** Authoritative data (the cluster zone) rather than forwarded. */
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/**
 * The response to `q`: its question, then the records. Over UDP (`maxSize` set) records that do
 * not fit are left out from the end and TC is set, so that a client retries over TCP and a client
 * that does not still has the first answers.
 */
export function buildResponse(q: Query, a: Reply, maxSize?: number): Buffer {
  const opt: Answer[] = q.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: OurUDPSize, flags: q.edns.do ? dnsPacket.DNSSEC_OK : 0 } as Answer] : [];
  const flags = QR | (q.flags & (RD | 0x0010 /* CD */)) | RA | (a.authoritative ? AA : 0) | a.rcode;
  const full = encode(q, flags, a.answers, a.authorities, [...a.additionals, ...opt]);
  if (maxSize === undefined || full.length <= maxSize) return full;
  // Keep as many whole answers as fit (binary search); authority and additional data go first.
  let lo = 0, hi = a.answers.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encode(q, flags, a.answers.slice(0, mid), [], opt).length <= maxSize) lo = mid; else hi = mid - 1;
  }
  return encode(q, flags | TC, a.answers.slice(0, lo), [], opt);
}

/** The UDP size a response to `q` may take. */
export const udpLimit = (q: Query): number => q.edns?.udpSize ?? MinUDPSize;

function encode(q: Query, flags: number, answers: Answer[], authorities: Answer[], additionals: Answer[]): Buffer {
  const body = dnsPacket.encode({ answers, authorities, additionals }).subarray(12);
  return Buffer.concat([header(q.id, flags, 1, answers.length, authorities.length, additionals.length), q.question, body]);
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(flags | QR, 2);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
  return b;
}

/** A bare error response to `q` (SERVFAIL, REFUSED …), keeping its question. */
export const errorResponse = (q: Query, rcode: number): Buffer =>
  buildResponse(q, { rcode, authoritative: false, answers: [], authorities: [], additionals: [] });
