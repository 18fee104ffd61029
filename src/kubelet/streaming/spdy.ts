/**
 * @module A SPDY/3.1 session over any duplex byte stream, as Go's moby/spdystream speaks it (the
 * streaming servers of containerd and the Kubernetes clients): streams opened with SYN_STREAM and
 * accepted with SYN_REPLY, DATA with FIN for half-close, RST_STREAM, PING, GOAWAY. Like spdystream
 * it keeps no flow-control windows: SETTINGS and WINDOW_UPDATE are read and ignored.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  FLAG_FIN, FrameParser, HeaderDeflater, HeaderInflater, RstStatus, SpdyProtocolError,
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream,
  type Frame, type Headers,
} from './spdy-frames.js';

export { RstStatus, type Headers } from './spdy-frames.js';

/** DATA frames carry at most this much, so one stream cannot hold the connection for long. */
const MAX_DATA_CHUNK = 64 * 1024;

/**
 * One SPDY stream as a Node duplex: what the peer sends is readable (ending at its FIN), what is
 * written goes out as DATA frames, and end() sends the FIN that half-closes it.
 */
export class SpdyStream extends Duplex {
  /** Headers of the peer's SYN_REPLY, for a stream opened here. */
  replyHeaders: Headers | undefined;
  /** The status of the peer's RST_STREAM, when it reset the stream. */
  resetStatus: number | undefined;
  private replied: boolean;
  private remoteEnded = false;

  /** `headers` are those of the stream's SYN_STREAM, sent by whoever opened it. */
  constructor(private readonly conn: SpdyConnection, readonly id: number, readonly headers: Headers, opened: 'local' | 'remote') {
    super({ allowHalfOpen: true });
    // A stream we open is answered by the peer's SYN_REPLY; one the peer opens waits for our reply().
    this.replied = opened === 'local';
  }

  /** Accepts a stream the peer opened; no-op when already replied. */
  reply(headers: Headers = {}): void {
    if (this.replied) return;
    this.replied = true;
    this.conn.sendFrame(encodeSynReply(this.id, this.conn.deflater.compress(headers)));
  }

  /** Aborts the stream both ways with RST_STREAM. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.destroyed) return;
    this.conn.sendFrame(encodeRstStream(this.id, status));
    this.destroy();
  }

  override _read(): void {
    // Data is pushed as frames arrive; without flow control there is nothing to ask the peer for.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.resetStatus !== undefined) return cb();
    this.reply();
    let ok = true;
    for (let off = 0; off < chunk.length; off += MAX_DATA_CHUNK) {
      ok = this.conn.sendFrame(encodeData(this.id, chunk.subarray(off, off + MAX_DATA_CHUNK)));
    }
    this.conn.whenWritable(ok, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.resetStatus !== undefined) return cb();
    this.reply();
    this.conn.sendFrame(encodeData(this.id, Buffer.alloc(0), FLAG_FIN));
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.conn.forget(this.id);
    cb(err);
  }

  /** Called by the connection for the stream's frames. */
  onData(data: Buffer, fin: boolean): void {
    // Data after the peer's FIN breaks the protocol; it is dropped rather than thrown at readers.
    if (this.remoteEnded || this.destroyed) return;
    if (data.length) this.push(data);
    if (fin) this.endRemote();
  }

  /**
   * The peer reset the stream. Like spdystream's readers, ours get what arrived and then EOF (the
   * Kubernetes servers reset every stream when a session ends, right after the last data).
   */
  onReset(status: number): void {
    this.resetStatus = status;
    this.endRemote();
    if (!this.writableEnded) this.end();
  }

  /** No more data will come from the peer. */
  endRemote(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.push(null);
  }
}

export interface SpdyConnectionOptions {
  /** The side that opens streams with odd ids (the client of the HTTP upgrade). */
  client: boolean;
}

interface Pending { stream: SpdyStream; resolve(s: SpdyStream): void; reject(e: Error): void }

/**
 * Events: 'stream' (a SpdyStream the peer opened: answer with stream.reply() or stream.reset()),
 * 'close' (the byte stream ended or failed; every stream is then ended), 'error'.
 */
export class SpdyConnection extends EventEmitter {
  readonly deflater = new HeaderDeflater();
  private readonly inflater = new HeaderInflater();
  private readonly parser = new FrameParser();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pending = new Map<number, Pending>();
  private readonly pings = new Map<number, () => void>();
  private readonly queue: (Frame | 'EOF')[] = [];
  private draining = false;
  private nextStreamId: number;
  private nextPingId: number;
  private lastRemoteStreamId = 0;
  private goneAway = false;
  private closed = false;

  constructor(private readonly socket: Duplex, o: SpdyConnectionOptions) {
    super();
    this.nextStreamId = o.client ? 1 : 2;
    this.nextPingId = o.client ? 1 : 2;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.enqueue('EOF'));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.enqueue('EOF'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opens a stream and resolves once the peer accepts it with SYN_REPLY (spdystream drops data
   * sent before that). Rejects when the peer resets it, the connection closes, or after timeoutMs.
   */
  createStream(headers: Headers, o: { timeoutMs?: number } = {}): Promise<SpdyStream> {
    if (this.closed || this.goneAway) return Promise.reject(new Error('SPDY connection is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers, 'local');
    this.streams.set(id, stream);
    return new Promise<SpdyStream>((resolve, reject) => {
      const timer = o.timeoutMs ? setTimeout(() => {
        this.pending.delete(id);
        stream.reset();
        reject(new Error(`SPDY stream ${headers.streamtype ?? id} was not accepted within ${o.timeoutMs} ms`));
      }, o.timeoutMs) : undefined;
      const done = () => clearTimeout(timer);
      this.pending.set(id, {
        stream,
        resolve: (s) => { done(); resolve(s); },
        reject: (e) => { done(); reject(e); },
      });
      this.sendFrame(encodeSynStream(id, this.deflater.compress(headers)));
    });
  }

  /** Resolves when the peer answers a PING. */
  ping(): Promise<void> {
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x1_0000_0000;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('SPDY connection is closed'));
      this.pings.set(id, resolve);
      this.sendFrame(encodePing(id));
    });
  }

  /** Stops reading from the peer (backpressure: nothing arrives until resume()). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Says GOAWAY and ends the byte stream; streams still open end when the socket closes. */
  close(): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      this.sendFrame(encodeGoAway(this.lastRemoteStreamId));
    }
    this.socket.end();
  }

  destroy(err?: Error): void {
    if (err) this.fail(err);
    else this.finish();
    this.socket.destroy();
  }

  /** Writes a frame; false when the socket's buffer is full (see whenWritable). */
  sendFrame(frame: Buffer): boolean {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return true;
    return this.socket.write(frame);
  }

  /**
   * Calls cb now, or once the socket drains when the last write filled its buffer. Writes after the
   * connection closed are dropped without an error, as the peer is gone: 'close' tells users.
   */
  whenWritable(ok: boolean, cb: (err?: Error | null) => void): void {
    if (ok || this.closed) return cb();
    const onDrain = () => { this.socket.off('close', onDrain); this.socket.off('drain', onDrain); cb(); };
    this.socket.once('drain', onDrain);
    this.socket.once('close', onDrain);
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  private onBytes(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      this.destroy(e as Error);
      return;
    }
    for (const f of frames) this.enqueue(f);
  }

  /** Frames are handled strictly in order, though header blocks inflate asynchronously. */
  private enqueue(item: Frame | 'EOF'): void {
    this.queue.push(item);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        const item = this.queue.shift()!;
        if (item === 'EOF') {
          this.finish();
          continue;
        }
        if (this.closed) continue;
        if (item.type === 'SYN_STREAM' || item.type === 'SYN_REPLY' || item.type === 'HEADERS') {
          const headers = await this.inflater.inflate(item.block);
          this.onHeaders(item, headers);
        } else {
          this.onFrame(item);
        }
      }
    } catch (e) {
      this.destroy(e instanceof Error ? e : new SpdyProtocolError(String(e)));
    } finally {
      this.draining = false;
    }
  }

  private onHeaders(f: Extract<Frame, { block: Buffer }>, headers: Headers): void {
    const fin = (f.flags & FLAG_FIN) !== 0;
    if (f.type === 'SYN_STREAM') {
      if (this.goneAway || f.streamId <= this.lastRemoteStreamId || this.streams.has(f.streamId)) {
        this.sendFrame(encodeRstStream(f.streamId, RstStatus.ProtocolError));
        return;
      }
      this.lastRemoteStreamId = f.streamId;
      const stream = new SpdyStream(this, f.streamId, headers, 'remote');
      this.streams.set(f.streamId, stream);
      if (fin) stream.endRemote();
      if (this.listenerCount('stream') === 0) stream.reset(RstStatus.RefusedStream);
      else this.emit('stream', stream);
      return;
    }
    const stream = this.streams.get(f.streamId);
    if (!stream) return;
    if (f.type === 'SYN_REPLY') {
      stream.replyHeaders = headers;
      const p = this.pending.get(f.streamId);
      this.pending.delete(f.streamId);
      p?.resolve(p.stream);
    }
    if (fin) stream.endRemote();
  }

  private onFrame(f: Exclude<Frame, { block: Buffer }>): void {
    switch (f.type) {
      case 'DATA':
        this.streams.get(f.streamId)?.onData(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      case 'RST_STREAM': {
        const p = this.pending.get(f.streamId);
        this.pending.delete(f.streamId);
        p?.reject(new Error(`SPDY stream ${f.streamId} was refused by the peer (status ${f.status})`));
        this.streams.get(f.streamId)?.onReset(f.status);
        return;
      }
      case 'PING':
        // The peer's pings have the other parity: echo them; ours come back to settle ping().
        if ((f.id & 1) !== (this.nextPingId & 1)) this.sendFrame(encodePing(f.id));
        else {
          this.pings.get(f.id)?.();
          this.pings.delete(f.id);
        }
        return;
      case 'GOAWAY':
        this.goneAway = true;
        for (const [id, p] of this.pending) {
          if (id > f.lastGoodStreamId) {
            this.pending.delete(id);
            p.reject(new Error('SPDY connection is going away'));
          }
        }
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown control frames: nothing to do (no flow control).
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.finish(err);
  }

  /** Ends every stream gracefully (readers get what arrived, then EOF); pending opens are rejected. */
  private finish(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    for (const p of this.pending.values()) p.reject(err ?? new Error('SPDY connection closed'));
    this.pending.clear();
    for (const s of [...this.streams.values()]) {
      s.endRemote();
      if (!s.writableEnded) s.end();
    }
    this.streams.clear();
    this.emit('close');
  }
}
