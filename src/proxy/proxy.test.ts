import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import { waitFor } from '../../test/support/wait-for.js';
import { ref } from '../client/kind-ref.js';
import type { Client, Obj } from '../client/client.js';
import { nft } from '../net/nft.js';
import { startServiceProxy, type ServiceProxy } from './index.js';
import { connectFrom, Gateway, makeTestNode, NodeIP, OutsideIP, whoAnswered, type TestNode } from './testkit.js';

const TABLE = 'tugboat-proxy-test';

describe('the service proxy on real nftables, in a throwaway node netns', () => {
  let tn: TestNode;
  let cluster: InProcessCluster;
  let client: Client;
  let proxy: ServiceProxy;
  const pod = (name: string) => tn.pods.get(name)!;
  const fromClient = (ip: string, port: number, n = 1) => connectFrom(pod('client').netns, ip, port, n);

  before(async () => {
    tn = await makeTestNode(['a', 'b', 'c', 'client']);
    cluster = await startInProcess();
    client = cluster.client();
    for (const p of ['a', 'b', 'c']) await tn.serve(p);
    // A leftover table of the same name, from a crashed run: the proxy must replace it.
    await nft(['-f', '-'], `table ip ${TABLE} { chain junk { }; }\n`, { netns: tn.node });
    proxy = await startServiceProxy({
      client, nodeName: 'n1', nodeIPs: [NodeIP], clusterCIDR: '10.42.0.0/16', table: TABLE, netns: tn.node,
      log: pino({ level: 'silent' }), minSyncIntervalMs: 20,
    });
    await proxy.ready;
  });
  after(async () => {
    try {
      await proxy?.stop();
    } finally {
      tn?.cleanup();
      await cluster?.close();
    }
  });

  type Ep = { pod: string; node?: string; ready?: boolean; serving?: boolean; terminating?: boolean };
  async function service(name: string, clusterIP: string, spec: Obj, eps: Ep[]): Promise<void> {
    await client.create(ref('Service', 'default'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
      spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    });
    await client.create(ref('EndpointSlice', 'default'), sliceOf(name, eps));
  }
  const sliceOf = (name: string, eps: Ep[]) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({
      addresses: [pod(e.pod).ip], nodeName: e.node ?? 'n1',
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
    })),
  });
  /** Waits until the service answers at all (the proxy syncs a moment after the write). */
  const answering = (from: string, ip: string, port: number) =>
    waitFor(() => connectFrom(from, ip, port)[0].out !== undefined, `${ip}:${port} to answer from ${from}`);

  it('replaced the leftover table and turned on bridge netfilter in the node', async () => {
    const listed = await nft(['list', 'table', 'ip', TABLE], undefined, { netns: tn.node });
    assert.doesNotMatch(listed, /chain junk/);
    assert.match(listed, /ip daddr \. meta l4proto \. th dport vmap @service-ips/);
    const sysctl = (k: string) => execFileSync('ip', ['netns', 'exec', tn.node, 'sysctl', '-n', k], { encoding: 'utf8' }).trim();
    assert.equal(sysctl('net.bridge.bridge-nf-call-iptables'), '1');
    assert.equal(sysctl('net.ipv4.ip_forward'), '1');
  });

  it('a ClusterIP spreads at random over ready endpoints; a not-ready one gets nothing; pods see the client pod', async () => {
    await service('web', '10.43.7.1', {}, [{ pod: 'a' }, { pod: 'b' }, { pod: 'c', ready: false }]);
    await answering(pod('client').netns, '10.43.7.1', 80);
    const answers = fromClient('10.43.7.1', 80, 40);
    const who = whoAnswered(answers);
    const count = (p: string) => who.filter((w) => w === p).length;
    assert.equal(count('a') + count('b'), 40, who.join(' '));
    // Binomial(40, 1/2): fewer than 8 of one is a 1-in-20,000 event.
    assert.ok(count('a') >= 8 && count('b') >= 8, who.join(' '));
    // Pod to pod across the bridge: not masqueraded, and the reply was un-DNATed (bridge netfilter).
    assert.ok(answers.every((a) => a.out!.endsWith(` ${pod('client').ip}`)), answers.map((a) => a.out).join(', '));
    // A port the service does not have is refused.
    assert.equal(fromClient('10.43.7.1', 81)[0].err, 'ECONNREFUSED');
  });

  it('no endpoints: refused at once; endpoints arriving later are used', async () => {
    await service('empty', '10.43.7.2', {}, []);
    await waitFor(() => fromClient('10.43.7.2', 80)[0].err === 'ECONNREFUSED', 'the empty service to refuse');
    const [refused] = fromClient('10.43.7.2', 80);
    assert.ok(refused.connectMs < 200, `refused after ${refused.connectMs} ms`);
    const slice = await client.get(ref('EndpointSlice', 'default'), 'empty-1');
    await client.update(ref('EndpointSlice', 'default'), { ...sliceOf('empty', [{ pod: 'a' }]), metadata: slice.metadata });
    await answering(pod('client').netns, '10.43.7.2', 80);
    assert.deepEqual(whoAnswered(fromClient('10.43.7.2', 80, 5)), ['a', 'a', 'a', 'a', 'a']);
  });

  it('NodePort and a load-balancer IP answer on the node IP, masqueraded under policy Cluster', async () => {
    await service('np', '10.43.7.3', { type: 'LoadBalancer', ports: [{ name: 'http', port: 81, targetPort: 8080, protocol: 'TCP', nodePort: 30081 }] }, [{ pod: 'b' }]);
    const svc = await client.get(ref('Service', 'default'), 'np');
    await client.updateStatus(ref('Service', 'default'), { ...svc, status: { loadBalancer: { ingress: [{ ip: NodeIP, ipMode: 'VIP' }] } } });
    await answering(tn.outside, NodeIP, 30081);
    assert.deepEqual(connectFrom(tn.outside, NodeIP, 30081, 3).map((a) => a.out), Array(3).fill(`b ${Gateway}`));
    await answering(tn.outside, NodeIP, 81);
    assert.equal(connectFrom(tn.outside, NodeIP, 81)[0].out, `b ${Gateway}`);
  });

  it('externalTrafficPolicy Local: outside clients reach only local endpoints and keep their address', async () => {
    await service('loc', '10.43.7.4', {
      type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30082 }],
    }, [{ pod: 'a' }, { pod: 'b', node: 'n2' }]);
    await answering(tn.outside, NodeIP, 30082);
    assert.deepEqual(connectFrom(tn.outside, NodeIP, 30082, 20).map((a) => a.out), Array(20).fill(`a ${OutsideIP}`));
    // Inside the cluster the policy does not apply: both endpoints serve the ClusterIP.
    const inside = new Set(whoAnswered(fromClient('10.43.7.4', 80, 30)));
    assert.deepEqual([...inside].sort(), ['a', 'b']);
  });

  it('internalTrafficPolicy Local: pods reach only this node’s endpoints; none local drops', async () => {
    await service('itp', '10.43.7.5', { internalTrafficPolicy: 'Local' }, [{ pod: 'a' }, { pod: 'b', node: 'n2' }]);
    await answering(pod('client').netns, '10.43.7.5', 80);
    assert.deepEqual(new Set(whoAnswered(fromClient('10.43.7.5', 80, 20))), new Set(['a']));
    await service('itp2', '10.43.7.6', { internalTrafficPolicy: 'Local' }, [{ pod: 'b', node: 'n2' }]);
    await waitFor(async () => (await nft(['list', 'map', 'ip', TABLE, 'no-endpoint-services'], undefined, { netns: tn.node })).includes('10.43.7.6 . tcp . 80 : drop'),
      'itp2 in no-endpoint-services');
    assert.equal(connectFrom(pod('client').netns, '10.43.7.6', 80, 1, 500)[0].err, 'TIMEOUT');
  });

  it('ClientIP affinity sends a client back to the same endpoint', async () => {
    await service('sticky', '10.43.7.7', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
      [{ pod: 'a' }, { pod: 'b' }, { pod: 'c' }]);
    await answering(pod('client').netns, '10.43.7.7', 80);
    const who = whoAnswered(fromClient('10.43.7.7', 80, 20));
    assert.equal(new Set(who).size, 1, who.join(' '));
    // Another client is placed independently, and sticks too.
    const other = whoAnswered(connectFrom(pod('c').netns, '10.43.7.7', 80, 10));
    assert.equal(new Set(other).size, 1, other.join(' '));
  });

  it('serving-but-terminating endpoints are used only while nothing is ready', async () => {
    await service('term', '10.43.7.8', {}, [
      { pod: 'a', ready: false, serving: true, terminating: true },
      { pod: 'b', ready: false, serving: false, terminating: true },
    ]);
    await answering(pod('client').netns, '10.43.7.8', 80);
    assert.deepEqual(new Set(whoAnswered(fromClient('10.43.7.8', 80, 10))), new Set(['a']));
    const slice = await client.get(ref('EndpointSlice', 'default'), 'term-1');
    await client.update(ref('EndpointSlice', 'default'), {
      ...sliceOf('term', [{ pod: 'a', ready: false, serving: true, terminating: true }, { pod: 'c' }]), metadata: slice.metadata,
    });
    await waitFor(() => whoAnswered(fromClient('10.43.7.8', 80))[0] === 'c', 'the ready endpoint to take over');
    assert.deepEqual(new Set(whoAnswered(fromClient('10.43.7.8', 80, 10))), new Set(['c']));
  });

  it('hairpin: a pod reaching itself through its service works, masqueraded', async () => {
    await service('self', '10.43.7.9', {}, [{ pod: 'c' }]);
    await answering(pod('client').netns, '10.43.7.9', 80);
    assert.equal(connectFrom(pod('c').netns, '10.43.7.9', 80)[0].out, `c ${Gateway}`);
  });

  it('a deleted service leaves no chain behind, and stop() removes the table', async () => {
    await client.delete(ref('Service', 'default'), 'web');
    await waitFor(async () => !(await nft(['list', 'table', 'ip', TABLE], undefined, { netns: tn.node })).includes('default/web/'), 'web chains gone');
    assert.equal(fromClient('10.43.7.1', 80)[0].err !== undefined, true);
    await proxy.stop();
    const tables = await nft(['list', 'tables'], undefined, { netns: tn.node });
    assert.doesNotMatch(tables, new RegExp(TABLE));
  });
});
