/**
 * @module grpc probes (pkg/probe/grpc): the standard grpc.health.v1.Health/Check call over
 * plaintext, SERVING is success; connection, timeout and status failures read as the kubelet's.
 * The two tiny messages are encoded by hand rather than loading a proto file.
 */
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { joinHostPort, type ProbeOutcome } from './result.js';

const ServingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest { string service = 1 }. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  if (!s.length) return Buffer.alloc(0);
  const len: number[] = [];
  for (let n = s.length; ; n >>>= 7) {
    if (n < 0x80) { len.push(n); break; }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

/** HealthCheckResponse { ServingStatus status = 1 }: the status number (0 when absent). */
export function decodeHealthCheckResponse(b: Buffer): number {
  let i = 0;
  const varint = () => { let v = 0; let shift = 0; for (;;) { const x = b[i++]; v += (x & 0x7f) * 2 ** shift; if (x < 0x80) return v; shift += 7; } };
  let statusNumber = 0;
  while (i < b.length) {
    const tag = varint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) statusNumber = varint();
    else if (wire === 0) varint();
    else if (wire === 2) i += varint();
    else if (wire === 5) i += 4;
    else i += 8;
  }
  return statusNumber;
}

const secondsText = (ms: number) => `${ms / 1000}s`;

export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const client = new Client(addr, credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (connectErr) => {
      if (connectErr) {
        resolve({ result: 'failure', output: `timeout: failed to connect service "${addr}" within ${secondsText(timeoutMs)}: context deadline exceeded` });
        return;
      }
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', encodeHealthCheckRequest, (b: Buffer) => b, service, new Metadata(), { deadline },
        (err: ServiceError | null, reply?: Buffer) => {
          if (err) {
            if (err.code === status.UNIMPLEMENTED) resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
            else if (err.code === status.DEADLINE_EXCEEDED) resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${secondsText(timeoutMs)}` });
            else resolve({ result: 'failure', output: `error: health rpc probe failed: ${err.message}` });
            return;
          }
          const s = decodeHealthCheckResponse(reply ?? Buffer.alloc(0));
          if (s !== 1) resolve({ result: 'failure', output: `service unhealthy (responded with "${ServingStatus[s] ?? s}")` });
          else resolve({ result: 'success', output: 'service healthy' });
        });
    });
  }).finally(() => client.close());
}
