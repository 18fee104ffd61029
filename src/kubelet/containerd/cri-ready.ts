/**
 * @module Asks a containerd socket whether its CRI service answers (RuntimeService/Version),
 * with a raw gRPC call: containerd serves its socket even when the CRI plugin failed to load, so a
 * socket that accepts connections is not yet a usable runtime.
 */
import { Client, Metadata, credentials, status } from '@grpc/grpc-js';

export type CRIReadiness = 'ready' | 'no-cri' | 'down';

/** 'ready' when Version succeeds, 'no-cri' when the server lacks the CRI service, else 'down'. */
export function criReadiness(socket: string, timeoutMs = 1000): Promise<CRIReadiness> {
  const client = new Client(`unix://${socket}`, credentials.createInsecure());
  return new Promise<CRIReadiness>((resolve) => {
    // An empty VersionRequest encodes as zero bytes; the answer's content is not needed.
    client.makeUnaryRequest('/runtime.v1.RuntimeService/Version', () => Buffer.alloc(0), (b: Buffer) => b, null, new Metadata(),
      { deadline: Date.now() + timeoutMs }, (err) => {
        if (!err) resolve('ready');
        else resolve(err.code === status.UNIMPLEMENTED ? 'no-cri' : 'down');
      });
  }).finally(() => client.close());
}
