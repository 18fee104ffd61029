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
/** The elements a script gives a shared map or set (`map NAME { … elements = { … } }`, in a table block or an `add`). */
function elements(script: string, name: string): string[] {
  const re = new RegExp(`(?:map|set) (?:ip tp )?${name} \\{ [^{}]*?(?:elements = \\{ ([^{}]*) \\} )?\\}`, 'g');
  return [...script.matchAll(re)].flatMap((m) => (m[1] ? m[1].split(', ') : []));
}

test('a ClusterIP service: a random pick over its ready endpoints, one DNAT chain each, one map element', () => {
  const r = new Ruleset(ctx);
  const { script } = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.0.7', ready: false }])] }]));
  // The whole table in one declarative block, replacing whatever is there.
  assert.match(script, /^table ip tp \{\}\ndelete table ip tp\ntable ip tp \{\n/);
  assert.match(script, /chain services \{\n\tip daddr \. meta l4proto \. th dport vmap @service-ips\n/);
  assert.deepEqual(elements(script, 'service-ips').map((e) => e.replace(/-\w{8}-/, '-H-')), ['10.43.0.20 . tcp . 80 : goto service-H-ns/web/tcp/http']);
  assert.deepEqual(elements(script, 'cluster-ips'), ['10.43.0.20']);
  // A random pick without a map: each rule takes 1/(n-i) of what is left.
  assert.match(script, /chain service-\w+-ns\/web\/tcp\/http \{\n\tip daddr 10\.43\.0\.20 tcp dport 80 ip saddr != 10\.42\.0\.0\/16 jump mark-for-masquerade\n/);
  assert.match(script, /\tnumgen random mod 2 == 0 goto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080\n\tgoto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.6\/8080\n\}/);
  assert.match(script, /chain endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080 \{\n\tip saddr 10\.42\.0\.5 jump mark-for-masquerade\n\tmeta l4proto tcp dnat to 10\.42\.0\.5:8080\n\}/);
  assert.equal(lines(script, /10\.42\.0\.7/).length, 0, 'the not-ready endpoint gets nothing');
  assert.deepEqual(elements(script, 'nodeport-ips'), ['192.168.50.2']);
});

test('partial syncs send only what changed, and nothing when nothing did', () => {
  const r = new Ruleset(ctx);
  const other = { service: svc('other', { clusterIP: '10.43.0.21' }), slices: [slice('other', [{ ip: '10.42.0.9' }])] };
  r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }])] }], ['ns/other', other])).commit();
  assert.equal(r.planPartial(new Map([['ns/other', other]])).script, '');

  const grown = r.planPartial(new Map([['ns/web', { service: svc('web'), slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])] }]]));
  // Rules only inside `add chain … { }`: with no `add rule` nft loads no list of chains.
  assert.deepEqual(lines(grown.script, /^\S/).map((c) => c.replace(/-\w{8}-/, '-H-')), [
    'flush chain ip tp service-H-ns/web/tcp/http',
    'add chain ip tp endpoint-H-ns/web/tcp/http__10.42.0.6/8080 {',
    '}',
    'add chain ip tp service-H-ns/web/tcp/http {',
    '}',
  ]);
  assert.equal(lines(grown.script, /other|table|element/).length, 0);
  grown.commit();

  const gone = r.planPartial(new Map([['ns/web', undefined]]));
  // Deleting elements makes nft list every chain anyway: the service's chains go in the same transaction.
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
  assert.deepEqual(elements(none.script, 'no-endpoint-services'), ['10.43.0.20 . tcp . 80 : goto reject-chain']);
  assert.deepEqual(elements(none.script, 'service-ips'), []);

  const local = svc('web', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const { script } = r.planFull(inputs(['ns/web', { service: local, slices: [slice('web', [{ ip: '10.42.1.5', node: 'n2' }])] }]));
  assert.match(elements(script, 'service-ips').join(), /^10\.43\.0\.20 \. tcp \. 80 : goto service-/, 'cluster traffic still served');
  assert.deepEqual(elements(script, 'no-endpoint-nodeports'), ['tcp . 30080 : drop']);
});

test('terminating endpoints are used only when none is ready', () => {
  const r = new Ruleset(ctx);
  const eps = [{ ip: '10.42.0.5', ready: false, serving: true, terminating: true }, { ip: '10.42.0.6', ready: false, serving: false, terminating: true }];
  const only = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', eps)] }]));
  assert.match(only.script, /jump mark-for-masquerade\n\tgoto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080\n\}/);
  const withReady = r.planFull(inputs(['ns/web', { service: svc('web'), slices: [slice('web', [...eps, { ip: '10.42.0.7' }])] }]));
  assert.match(withReady.script, /jump mark-for-masquerade\n\tgoto endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.7\/8080\n\}/);
  assert.equal(lines(withReady.script, /10\.42\.0\.[56]/).length, 0);
});

test('ClientIP affinity: a timed set per endpoint, checked before the random pick', () => {
  const r = new Ruleset(ctx);
  const s = svc('web', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  const { script } = r.planFull(inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }])] }]));
  assert.match(script, /\nset affinity-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080__t60 \{ type ipv4_addr; flags dynamic,timeout; timeout 60s; \}/);
  assert.match(script, /\tupdate @affinity-\S+ \{ ip saddr \}\n\tmeta l4proto tcp dnat/);
  assert.match(script, /\tip saddr @affinity-\S+ goto endpoint-\S+\n\tgoto endpoint-\S+\n\}/);
});

test('external IPs, load-balancer IPs and NodePorts enter through the external chain, masqueraded under policy Cluster', () => {
  const r = new Ruleset(ctx);
  const s = svc('web', { type: 'LoadBalancer', externalIPs: ['192.168.60.9'], ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] },
    { loadBalancer: { ingress: [{ ip: '192.168.50.2', ipMode: 'VIP' }] } });
  const { script } = r.planFull(inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }])] }]));
  const ips = elements(script, 'service-ips').map((e) => e.replace(/-\w{8}-\S+$/, ''));
  assert.deepEqual(ips.sort(), ['10.43.0.20 . tcp . 80 : goto service', '192.168.50.2 . tcp . 80 : goto external', '192.168.60.9 . tcp . 80 : goto external']);
  assert.match(elements(script, 'service-nodeports').join(), /^tcp \. 30080 : goto external-/);
  assert.match(script, /chain external-\S+ \{\n\tjump mark-for-masquerade\n\tgoto service-\S+\n\}/);
});

test('two services claiming one IP and port: the first keeps it, the second takes over when it goes', () => {
  const r = new Ruleset(ctx);
  const lb = (name: string, ip: string) => ({
    service: svc(name, { type: 'LoadBalancer', clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: name === 'a' ? 30001 : 30002 }] },
      { loadBalancer: { ingress: [{ ip: '192.168.50.2' }] } }),
    slices: [slice(name, [{ ip: name === 'a' ? '10.42.0.5' : '10.42.0.6' }])],
  });
  const full = r.planFull(inputs(['ns/a', lb('a', '10.43.0.1')], ['ns/b', lb('b', '10.43.0.2')]));
  const lb80 = elements(full.script, 'service-ips').filter((e) => e.startsWith('192.168.50.2 . tcp . 80 :'));
  assert.equal(lb80.length, 1);
  assert.match(lb80[0], /goto external-\w+-ns\/a\//);
  full.commit();
  const { script } = r.planPartial(new Map([['ns/a', undefined]]));
  assert.match(script, /delete element ip tp service-ips \{ [^}]*192\.168\.50\.2 \. tcp \. 80[^}]*\}\n(.*\n)*add map ip tp service-ips \{ [^{}]*elements = \{ [^{}]*192\.168\.50\.2 \. tcp \. 80 : goto external-\w+-ns\/b\//);
});

test('the scripts apply with the real nft: full, partial, stale chains cleaned up, removal, and a full resync repairs a deleted chain', async (t) => {
  const ns = `tugp-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => { spawnSync('ip', ['netns', 'del', ns]); });
  const run = (script: string) => nft(['-f', '-'], script, { netns: ns });
  const r = new Ruleset({ ...ctx, table: 'tugp-test' });
  const s = svc('web', { type: 'NodePort', sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local', externalIPs: ['192.168.60.9'], ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const all = inputs(['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.1.5', node: 'n2' }])] }]);
  let plan = r.planFull(all);
  await run(plan.script); plan.commit();
  plan = r.planPartial(new Map([['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.6' }])] }]]));
  await run(plan.script); plan.commit();
  let listed = await nft(['list', 'table', 'ip', 'tugp-test'], undefined, { netns: ns });
  assert.match(listed, /dnat to 10\.42\.0\.6:8080/);
  // The old endpoints' chains are emptied at once, deleted with a later cleanup.
  assert.doesNotMatch(listed, /(saddr|dnat to) 10\.42\.(0\.5|1\.5)/);
  assert.match(listed, /chain endpoint-\w+-ns\/web\/tcp\/http__10\.42\.0\.5\/8080 \{\n\t\}/);
  assert.ok(r.staleCount > 0);
  assert.equal(r.planPartial(new Map()).script, '', 'no cleanup unless asked');
  plan = r.planPartial(new Map(), true);
  assert.doesNotMatch(plan.script, /^(add|flush)/m);
  await run(plan.script); plan.commit();
  listed = await nft(['list', 'table', 'ip', 'tugp-test'], undefined, { netns: ns });
  assert.doesNotMatch(listed, /10\.42\.0\.5|10\.42\.1\.5/);
  assert.equal(r.staleCount, 0);
  const chain = /chain (service-[0-9A-F]{8}-\S+)/.exec(listed)![1];
  await run(`flush chain ip tugp-test ${chain}\n`);
  plan = r.planFull(new Map([['ns/web', { service: s, slices: [slice('web', [{ ip: '10.42.0.6' }])] }]]));
  await run(plan.script); plan.commit();
  assert.match(await nft(['list', 'chain', 'ip', 'tugp-test', chain], undefined, { netns: ns }), /\tgoto endpoint-\S+__10\.42\.0\.6\/8080\n/);
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
  assert.match(script, /chain external-\S+ \{\n\tip saddr 10\.42\.0\.0\/16 goto local-\S+\n/);
  assert.match(elements(script, 'service-ips').join(), /^10\.43\.0\.20 \. tcp \. 80 : goto local-/);
});
