/** @module EtcdStore against the shared Store contract, on a real etcd started for this file. */
import { after, before } from 'node:test';
import { startEtcd, type EtcdServer } from '../../../test/support/etcd.js';
import { runStoreConformance } from '../store.conformance.js';
import { EtcdStore } from './etcd-store.js';

let etcd: EtcdServer | undefined;
before(async () => { etcd = await startEtcd(); });
after(() => etcd?.stop());

runStoreConformance({
  name: 'etcd',
  newStore: async () => {
    if (!etcd) throw new Error('etcd did not start (see the before hook)');
    return new EtcdStore({ endpoints: [etcd.endpoint] });
  },
});
