/** @module The Client conformance suite run against LocalClient in-process (RestClient runs it in rest-client.test.ts). */
import { describe } from 'node:test';
import { startInProcess } from '../../test/support/in-process.js';
import { runClientConformance } from './client.conformance.js';

describe('LocalClient conformance', () => {
  runClientConformance(async () => {
    const cluster = await startInProcess();
    return {
      client: cluster.client('conformance-default'),
      compact: async () => cluster.store.compact(await cluster.store.currentRevision()),
      close: () => cluster.close(),
    };
  });
});
