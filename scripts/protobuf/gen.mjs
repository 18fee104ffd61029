// Generates tugboat's protobuf field tables from model.json (descriptors read from kubectl 1.32).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
const model = JSON.parse(readFileSync('model.json', 'utf8'));
const OUT = process.argv[2];
const msgs = {};
for (const f of Object.values(model)) Object.assign(msgs, f.msgs);
const short = (full) => full.replace(/^\.k8s\.io\.api\./, '').replace(/^\.k8s\.io\.apimachinery\.pkg\.apis\./, '')
  .replace(/^\.k8s\.io\.apimachinery\.pkg\.util\./, '').replace(/^\.k8s\.io\.apimachinery\.pkg\.api\./, '').replace(/^\.k8s\.io\.apimachinery\.pkg\./, '');
const roots = {
  'core.v1': ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota', 'Pod', 'Node', 'Event', 'Endpoints',
    'PersistentVolumeClaim', 'PersistentVolume', 'LimitRange', 'PodTemplate', 'ReplicationController', 'Binding'],
  'apps.v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
  'batch.v1': ['Job', 'CronJob'],
  'networking.v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'policy.v1': ['PodDisruptionBudget', 'Eviction'],
  'scheduling.v1': ['PriorityClass'],
  'rbac.v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'coordination.v1': ['Lease'],
  'discovery.v1': ['EndpointSlice'],
  'events.v1': ['Event'],
  'autoscaling.v1': ['HorizontalPodAutoscaler', 'Scale'],
  'autoscaling.v2': ['HorizontalPodAutoscaler'],
  'meta.v1': ['DeleteOptions'],
};
const fullOf = (s) => Object.keys(msgs).find((k) => short(k) === s);
const scalar = { 1: 'double', 3: 'int64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes' };
const reach = new Set();
const leaf = new Set(['meta.v1.Time', 'meta.v1.MicroTime', 'meta.v1.Duration', 'meta.v1.FieldsV1', 'intstr.IntOrString', 'resource.Quantity', 'runtime.RawExtension']);
const visit = (s) => {
  if (reach.has(s)) return; reach.add(s);
  if (leaf.has(s)) return;
  const d = msgs[fullOf(s)]; if (!d) throw new Error('missing ' + s);
  for (const f of d.fields) if (f.type === 11) {
    const t = msgs[f.typeName];
    if (t.mapEntry) { const v = t.fields[1]; if (v.type === 11) visit(short(v.typeName)); } else visit(short(f.typeName));
  }
};
for (const [p, ks] of Object.entries(roots)) for (const k of ks) visit(`${p}.${k}`);
const notNullable = (opts) => { // FieldOptions: gogoproto.nullable = 65001 (varint)
  if (!opts) return false; const b = Buffer.from(opts); let p = 0;
  const vi = () => { let r = 0, s = 0; for (;;) { const c = b[p++]; r += (c & 0x7f) * 2 ** s; s += 7; if (!(c & 0x80)) return r; } };
  while (p < b.length) { const k = vi(); const n = Math.floor(k / 8), wt = k % 8;
    if (wt === 0) { const v = vi(); if (n === 65001 && v === 0) return true; } else if (wt === 2) { const l = vi(); p += l; } else throw new Error('wt'); }
  return false;
};
// Go embedded structs with `json:",inline"` (found where the proto field is no property of the OpenAPI definition).
const inline = new Set(['networking.v1.IngressRule.ingressRuleValue', 'core.v1.EphemeralContainer.ephemeralContainerCommon',
  'core.v1.PersistentVolumeSpec.persistentVolumeSource', 'core.v1.Probe.handler', 'core.v1.Volume.volumeSource',
  ...['ConfigMapEnvSource', 'ConfigMapKeySelector', 'ConfigMapProjection', 'ConfigMapVolumeSource', 'SecretEnvSource',
    'SecretKeySelector', 'SecretProjection'].map((m) => `core.v1.${m}.localObjectReference`)]);
// Proto field names that differ from the JSON name.
const renamed = { 'networking.v1.IngressClassParametersReference.aPIGroup': 'apiGroup' };
const typeOf = (f) => f.type === 11 ? short(f.typeName) : scalar[f.type] ?? (() => { throw new Error('type ' + f.type); })();
const line = (s) => {
  const d = msgs[fullOf(s)];
  const parts = d.fields.map((f) => {
    let type = typeOf(f), kind;
    if (f.type === 11 && msgs[f.typeName].mapEntry) { const v = msgs[f.typeName].fields[1]; type = typeOf(v); kind = 'm'; }
    else if (f.label === 3) kind = 'r';
    else if (inline.has(`${s}.${f.name}`)) { kind = 'i'; if (!notNullable(f.opts)) throw new Error('inline pointer ' + f.name); }
    else if (notNullable(f.opts)) kind = 'v';
    return `${f.number}: ['${renamed[`${s}.${f.name}`] ?? f.name}', '${type}'${kind ? `, '${kind}'` : ''}]`;
  });
  const head = `  '${s}': {`;
  let out = head, cur = head;
  parts.forEach((p, i) => { const piece = ` ${p}${i < parts.length - 1 ? ',' : ''}`;
    if (cur.length + piece.length > 118) { out += '\n   '; cur = '   '; } out += piece; cur += piece; });
  return out + ' },';
};
const groups = {};
for (const s of [...reach].sort()) { const g = s.startsWith('core.v1.') ? 'core-v1' : ['meta', 'intstr', 'resource', 'runtime'].includes(s.split('.')[0]) ? 'meta' : s.split('.').slice(0, 2).join('-'); (groups[g] ??= []).push(s); }
// split core-v1 into chunks
const files = {};
for (const [g, list] of Object.entries(groups)) {
  if (g === 'core-v1') { const names = ['core-v1-a', 'core-v1-b', 'core-v1-c']; const per = Math.ceil(list.length / 3);
    names.forEach((n, i) => { files[n] = list.slice(i * per, (i + 1) * per); }); }
  else files[g] = list;
}
mkdirSync(OUT, { recursive: true });
const ident = (n) => n.replace(/-(\w)/g, (_, c) => c.toUpperCase());
for (const [n, list] of Object.entries(files)) {
  const own = list.filter((s) => !leaf.has(s)); const first = own[0], last = own[own.length - 1];
  writeFileSync(`${OUT}/${n}.ts`, `/**\n * @module Protobuf field numbers of ${first} … ${last} (k8s.io generated.proto, 1.32),\n * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.\n */\nimport type { MessageTable } from '../schema.js';\n\nexport const ${ident(n)}: MessageTable = {\n${own.map(line).join('\n')}\n};\n`);
}
const kinds = Object.entries(roots).flatMap(([p, ks]) => ks.map((k) => `${p}.${k}`));
console.log(JSON.stringify(Object.fromEntries(Object.entries(files).map(([n, l]) => [n, l.length]))), reach.size);
const names = Object.keys(files);
writeFileSync(`${OUT}/index.ts`, `/**\n * @module The merged protobuf message table, and the kinds a request body may carry at its top level.\n */\nimport type { MessageTable } from '../schema.js';\n${names.map((n) => `import { ${ident(n)} } from './${n}.js';`).join('\n')}\n\nexport const messages: MessageTable = {\n  ${names.map((n) => `...${ident(n)},`).join('\n  ')}\n};\n\n/** Messages decodable as a whole request body (see ../kinds.ts for how apiVersion/kind names one). */\nexport const topLevel: ReadonlySet<string> = new Set([\n${kinds.map((k) => `  '${k}',`).join('\n')}\n]);\n`);
