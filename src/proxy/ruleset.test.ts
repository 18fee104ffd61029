import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Ruleset, type ServiceInput } from './ruleset.js';
import { nft } from '../net/nft.js';

const ctx = { table: 'tp', nodeName: 'n1', nodeIPs: ['192.168.50.2'], clusterCIDR: '10.42.0.0/16' };

function svc(name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}) {
  return { metadata: { namespace: 'ns', name }, spec: { type: 'ClusterIP', clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec }, status };
}
type Ep = { ip: string; node?: string; ready?: boolean; serving?: boolean; terminating?: boolean };
function slice(name: string, eps: Ep[], port = 8080) {
  return {
    metadata: { namespace: 'ns', name: `${name}-x`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4', ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node ?? 'n1', conditions: { ready: e.ready ?? true, serving: e.serving, terminating: e.terminating } })),
  };
}
const inputs = (...xs: [string, ServiceInput][]) => new Map<string, ServiceInput>(xs);
const lines = (s: string, re: RegExp) => s.split('\n').filter((l) => re.test(l));

test('a ClusterIP service: a random pick over its ready endpoints, one DNAT chain each, one map element', () => {
  const r = new Ruleset(ctx);
  const { script } = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7', ready: false }])] }]), true);
  assert.match(script, /^table ip tp \{\}\ndelete table ip tp\nadd table ip tp\n/);
  assert.match(script, /add rule ip tp services ip daddr \. meta l4proto \. th dport vmap @service-ips/);
  assert.match(script, /add element ip tp service-ips \{ 10\.43\.0\.20 \. tcp \. 80 : goto service-[0-9A-F]{8}-ns\/web\/tcp\/http \}/);
  assert.match(script, /numgen random mod 2 vmap \{ 0 : goto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080, 1 : goto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.6\/8080 \}/);
  assert.match(script, /ip daddr 10\.43\.0\.20 tcp dport 80 ip saddr != 10\.42\.0\.0\/16 jump mark-for-masquerade/);
  assert.match(script, /endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080 ip saddr 10\.42\.0\.5 jump mark-for-masquerade/);
  assert.match(script, /meta l4proto tcp dnat to 10\.42\.0\.6:8080/);
  assert.equal(lines(script, /10\.42\.0\.7/).length, 0, 'the not-ready endpoint gets nothing');
  assert.match(script, /add element ip tp nodeport-ips \{ 192\.168\.50\.2 \}/);
});

test('partial syncs send only what changed, and nothing when nothing did', () => {
  const r = new Ruleset(ctx);
  const other = { service: svc('other', { clusterIP: '10.43.0.21' }), slices: [slice('other', [{ ip: '10.42.0.9' }])] };
  r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }])] }], ['ns/other', other]), true).commit();
  assert.equal(r.planPartial(new Map([['ns/other', other]])).script, '');

  const grown = r.planPartial(new Map([['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])] }]]));
  const cmds = grown.script.trim().split('\n');
  assert.deepEqual(cmds.filter((c) => !c.startsWith('add rule')).map((c) => c.replace(/-\w{8}-/, '-H-')), [
    'add chain ip tp endpoint-H-ns/web/tcp/http__10.42.0.6/8080',
    'flush chain ip tp service-H-ns/web/tcp/http',
  ]);
  assert.equal(lines(grown.script, /other|add table|add element/).length, 0);
  grown.commit();

  const gone = r.planPartial(new Map([['ns/web', undefined]]));
  assert.match(gone.script, /^delete element ip tp service-ips \{ 10\.43\.0\.20 \. tcp \. 80 \}$/m);
  assert.match(gone.script, /^delete element ip tp cluster-ips \{ 10\.43\.0\.20 \}$/m);
  assert.equal(lines(gone.script, /^flush chain/).length, 3);
  assert.equal(lines(gone.script, /^delete chain/).length, 3);
  // Chains are emptied before any is deleted (a service chain refers to its endpoint chains).
  const firstDelete = gone.script.indexOf('delete chain');
  assert.ok(gone.script.lastIndexOf('flush chain') < firstDelete);
});

test('no endpoints: reject; endpoints but none local under policy Local: drop', () => {
  const r = new Ruleset(ctx);
  const none = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [] }]));
  assert.match(none.script, /add element ip tp no-endpoint-services \{ 10\.43\.0\.20 \. tcp \. 80 : goto reject-chain \}/);
  assert.equal(lines(none.script, /add element ip tp service-ips/).length, 0);

  const local = svc('web', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const { script } = r.planFull(inputs(['ns/web', { service: local, slices: [slice('web', [{ ip: '10.42.1.5', node: 'n2' }])] }]));
  assert.match(script, /add element ip tp service-ips \{ 10\.43\.0\.20 \. tcp \. 80 : goto service-/, 'cluster traffic still served');
  assert.match(script, /add element ip tp no-endpoint-nodeports \{ tcp \. 30080 : drop \}/);
});

test('terminating endpoints are used only when none is ready', () => {
  const r = new Ruleset(ctx);
  const eps = [{ ip: '10.42.0.5', ready: false, serving: true, terminating: true }, { ip: '10.42.0.6', ready: false, serving: false, terminating: true }];
  const only = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', eps)] }]));
  assert.match(only.script, /numgen random mod 1 vmap \{ 0 : goto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080 \}/);
  const withReady = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [...eps, { ip: '10.42.0.7' }])] }]));
  assert.match(withReady.script, /numgen random mod 1 vmap \{ 0 : goto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.7\/8080 \}/);
});

test('ClientIP affinity: a timed set per endpoint, checked before the random pick', () => {
  const r = new Ruleset(ctx);
  const s = svc('web', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  const { script } = r.planFull(inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }])] }]));
  assert.match(script, /add set ip tp (affinity-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080__t60) \{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \}/);
  assert.match(script, /update @affinity-\S+ \{ ip saddr \}\nadd rule ip tp endpoint-\S+ meta l4proto tcp dnat/);
  assert.match(script, /ip saddr @affinity-\S+ goto endpoint-\S+\nadd rule ip tp service-\S+ numgen/);
});

test('external IPs, load-balancer IPs and NodePorts enter through the external chain, masqueraded under policy Cluster', () => {
  const r = new Ruleset(ctx);
  const s = svc('web', { type: 'LoadBalancer', externalIPs: ['192.168.60.9'], ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] },
    { loadBalancer: { ingress: [{ ip: '192.168.50.2', ipMode: 'VIP' }] } });
  const { script } = r.planFull(inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }])] }]));
  for (const key of ['192\\.168\\.60\\.9 \\. tcp \\. 80', '192\\.168\\.50\\.2 \\. tcp \\. 80']) {
    assert.match(script, new RegExp(`service-ips \\{ ${key} : goto external-`));
  }
  assert.match(script, /service-nodeports \{ tcp \. 30080 : goto external-/);
  assert.match(script, /add rule ip tp external-\S+ jump mark-for-masquerade\nadd rule ip tp external-\S+ goto service-/);
});

test('two services claiming one IP and port: the first keeps it, the second takes over when it goes', () => {
  const r = new Ruleset(ctx);
  const lb = (name: string, ip: string) => ({
    service: svc(name, { type: 'LoadBalancer', clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: name === 'a' ? 30001 : 30002 }] },
      { loadBalancer: { ingress: [{ ip: '192.168.50.2' }] } }),
    slices: [slice(name, [{ ip: name === 'a' ? '10.42.0.5' : '10.42.0.6' }])],
  });
  const full = r.planFull(inputs(['ns/a', lb('a', '10.43.0.1')], ['ns/b', lb('b', '10.43.0.2')]));
  assert.equal(lines(full.script, /service-ips \{ 192\.168\.50\.2 \. tcp \. 80 :/).length, 1);
  assert.match(full.script, /service-ips \{ 192\.168\.50\.2 \. tcp \. 80 : goto external-\w+-ns\/a\//);
  full.commit();
  const { script } = r.planPartial(new Map([['ns/a', undefined]]));
  assert.match(script, /delete element ip tp service-ips \{ 192\.168\.50\.2 \. tcp \. 80 \}\n(.*\n)*add element ip tp service-ips \{ 192\.168\.50\.2 \. tcp \. 80 : goto external-\w+-ns\/b\//);
});

test('the scripts apply with the real nft: full, partial, removal, and a full resync repairs a deleted chain', async (t) => {
  const ns = `tugp-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => { spawnSync('ip', ['netns', 'del', ns]); });
  const run = (script: string) => nft(['-f', '-'], script, { netns: ns });
  const r = new Ruleset({ ...ctx, table: 'tugp-test' });
  const s = svc('web', { type: 'NodePort', sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local', externalIPs: ['192.168.60.9'], ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const all = inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.1.5', node: 'n2' }])] }]);
  let plan = r.planFull(all, true);
  await run(plan.script); plan.commit();
  plan = r.planPartial(new Map([['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.6' }])] }]]));
  await run(plan.script); plan.commit();
  const listed = await nft(['list', 'table', 'ip', 'tugp-test'], undefined, { netns: ns });
  assert.match(listed, /dnat to 10\.42\.0\.6:8080/);
  assert.doesNotMatch(listed, /10\.42\.0\.5|10\.42\.1\.5/);
  const chain = /chain (service-[0-9A-F]{8}-\S+)/.exec(listed)![1];
  await run(`flush chain ip tugp-test ${chain}\n`);
  plan = r.planFull(new Map([['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.6' }])] }]]));
  await run(plan.script); plan.commit();
  assert.match(await nft(['list', 'chain', 'ip', 'tugp-test', chain], undefined, { netns: ns }), /numgen random mod 1/);
  plan = r.planPartial(new Map([['ns/web', undefined]]));
  await run(plan.script); plan.commit();
  const after = await nft(['list', 'table', 'ip', 'tugp-test'], undefined, { netns: ns });
  assert.doesNotMatch(after, /ns\/web/);
  assert.match(after, /chain services/);
});

test('both traffic policies Local: only local endpoints get chains, pods and the node short-circuit to the local pick', () => {
  const r = new Ruleset(ctx);
  const s = svc('web', { type: 'NodePort', internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const { script } = r.planFull(inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.1.5', node: 'n2' }])] }]));
  assert.equal(lines(script, /10\.42\.1\.5/).length, 0, 'no chain for the other node’s endpoint');
  assert.equal(lines(script, /service-[0-9A-F]{8}-ns\/web/).length, 0, 'no cluster-wide pick');
  assert.match(script, /add rule ip tp external-\S+ ip saddr 10\.42\.0\.0\/16 goto local-\S+/);
  assert.match(script, /service-ips \{ 10\.43\.0\.20 \. tcp \. 80 : goto local-/);
});
