/**
 * Generates src/api/openapi/definitions.json — the OpenAPI schemas of every built-in kind in the scheme
 * and all they reference — from kubernetes-types' .d.ts files (whose doc comments are upstream's field
 * descriptions), adding the patch metadata upstream's Go tags carry. Run: node --import tsx scripts/gen-openapi.ts
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { allTypes, groups } from '../src/api/scheme.js';
import type { Schema } from '../src/api/openapi/schema-types.js';

const typesDir = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
const out = new URL('../src/api/openapi/definitions.json', import.meta.url);

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

/** 'core/v1.d.ts' → 'io.k8s.api.core.v1', as upstream names Go packages. */
function packageOf(file: string): string {
  const rel = relative(typesDir, file).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
  if (rel === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (rel === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (rel === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (rel.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${rel.replace('/', '.')}`;
  return `io.k8s.api.${rel.replace('/', '.')}`;
}

/** Type aliases upstream serializes as formatted strings. */
const scalarAliases: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
};

type Ext = Partial<Schema>;
const mapBy = (...keys: string[]): Ext => ({
  'x-kubernetes-list-map-keys': keys, 'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': keys[0], 'x-kubernetes-patch-strategy': 'merge',
});
const mergeRetainBy = (key: string): Ext => ({ ...mapBy(key), 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
const mergeSet: Ext = { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' };
const atomicMap: Ext = { 'x-kubernetes-map-type': 'atomic' };
const containerLists = { ports: mapBy('containerPort', 'protocol'), env: mapBy('name'), volumeMounts: mapBy('mountPath'),
  volumeDevices: mapBy('devicePath') };
const conditions = { conditions: mapBy('type') };

/**
 * Field-level patch metadata, from upstream's patchStrategy/patchMergeKey tags and +listType markers.
 * Lists not named here are atomic, as upstream marks them.
 */
const fieldExt: Record<string, Record<string, Ext>> = {
  'io.k8s.api.core.v1.PodSpec': {
    containers: mapBy('name'), initContainers: mapBy('name'), ephemeralContainers: mapBy('name'),
    volumes: mergeRetainBy('name'), imagePullSecrets: mapBy('name'), hostAliases: mapBy('ip'),
    topologySpreadConstraints: mapBy('topologyKey', 'whenUnsatisfiable'), resourceClaims: mergeRetainBy('name'),
    schedulingGates: mapBy('name'), nodeSelector: atomicMap,
  },
  'io.k8s.api.core.v1.Container': containerLists,
  'io.k8s.api.core.v1.EphemeralContainer': containerLists,
  'io.k8s.api.core.v1.PodStatus': { ...conditions, podIPs: mapBy('ip'), hostIPs: mapBy('ip'),
    resourceClaimStatuses: mergeRetainBy('name') },
  'io.k8s.api.core.v1.ServiceSpec': { ports: mapBy('port', 'protocol'), selector: atomicMap },
  'io.k8s.api.core.v1.ServiceStatus': conditions,
  'io.k8s.api.core.v1.ServiceAccount': { secrets: mapBy('name') },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: mergeSet },
  'io.k8s.api.core.v1.NodeStatus': { ...conditions, addresses: mapBy('type') },
  'io.k8s.api.core.v1.NamespaceStatus': conditions,
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': conditions,
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: { 'x-kubernetes-patch-strategy': 'retainKeys' } },
  'io.k8s.api.apps.v1.DeploymentStatus': conditions,
  'io.k8s.api.apps.v1.ReplicaSetStatus': conditions,
  'io.k8s.api.apps.v1.DaemonSetStatus': conditions,
  'io.k8s.api.apps.v1.StatefulSetStatus': conditions,
  // Job conditions merge by type under strategic merge but stay atomic for server-side apply, as upstream.
  'io.k8s.api.batch.v1.JobStatus': { conditions: { 'x-kubernetes-list-type': 'atomic',
    'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge' } },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': conditions,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { finalizers: mergeSet, ownerReferences: mapBy('uid') },
};

/** Structs upstream marks +structType=atomic: apply replaces them whole. */
const atomicStructs = new Set(['meta.v1.LabelSelector', 'meta.v1.OwnerReference', 'core.v1.LocalObjectReference',
  'core.v1.ObjectReference', 'core.v1.SecretReference', 'core.v1.TypedLocalObjectReference', 'core.v1.ConfigMapKeySelector',
  'core.v1.SecretKeySelector', 'core.v1.ObjectFieldSelector', 'core.v1.ResourceFieldSelector', 'core.v1.NodeSelector',
  'core.v1.NodeSelectorTerm'].map((n) =>
  n.startsWith('meta.') ? `io.k8s.apimachinery.pkg.apis.${n}` : `io.k8s.api.${n}`));

const files = ['core/v1', 'apps/v1', 'batch/v1', 'networking/v1', 'coordination/v1', 'discovery/v1', 'events/v1',
  'policy/v1', 'scheduling/v1', 'rbac/v1', 'autoscaling/v1', 'meta/v1', 'runtime', 'api/resource']
  .map((f) => join(typesDir, `${f}.d.ts`));
const program = ts.createProgram(files, { noEmit: true, types: [] });
const checker = program.getTypeChecker();

const defs: Record<string, Schema> = {};
const queue: { name: string; decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration }[] = [];

function docOf(node: ts.NamedDeclaration): string | undefined {
  const sym = node.name && checker.getSymbolAtLocation(node.name);
  return (sym && ts.displayPartsToString(sym.getDocumentationComment(checker)).trim()) || undefined;
}

/** Queues a declaration for conversion (once) and returns its definition name. */
function declare(decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): string {
  const name = `${packageOf(decl.getSourceFile().fileName)}.${decl.name.text}`;
  if (!(name in defs)) {
    defs[name] = {};
    queue.push({ name, decl });
  }
  return name;
}

function typeToSchema(node: ts.TypeNode): Schema {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    // The .d.ts files erase int32/int64/float64 to `number`; every built-in kind we serve uses integers.
    case ts.SyntaxKind.NumberKeyword: return { type: 'integer' };
    case ts.SyntaxKind.LiteralType: return { type: 'string' };
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: typeToSchema((node as ts.ArrayTypeNode).elementType) };
  }
  if (ts.isUnionTypeNode(node)) {
    const kinds = node.types.map((t) => t.kind).sort();
    if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
      return ref(INT_OR_STRING);
    }
    throw new Error(`unsupported union ${node.getText()}`);
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (!index || node.members.length !== 1) throw new Error(`unsupported type literal ${node.getText()}`);
    return { type: 'object', additionalProperties: typeToSchema(index.type) };
  }
  if (ts.isTypeReferenceNode(node)) {
    const id = node.typeName.getText();
    if (id === 'Array' && node.typeArguments?.length === 1) return { type: 'array', items: typeToSchema(node.typeArguments[0]) };
    let sym = checker.getSymbolAtLocation(node.typeName);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym?.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
    if (!decl) throw new Error(`cannot resolve ${id}`);
    return ref(declare(decl as ts.InterfaceDeclaration | ts.TypeAliasDeclaration));
  }
  throw new Error(`unsupported type ${ts.SyntaxKind[node.kind]}: ${node.getText()}`);
}

function withDoc(s: Schema, description?: string): Schema {
  if (!description) return s;
  // Key order as in upstream's sorted JSON: "$ref" before "description", "type" after it.
  return s.$ref ? { ...s, description } : { description, ...s };
}

function convert(name: string, decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): Schema {
  const description = docOf(decl);
  if (ts.isTypeAliasDeclaration(decl)) {
    const s = scalarAliases[name] ?? typeToSchema(decl.type);
    return { ...(description ? { description } : {}), ...s };
  }
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  let gv: string | undefined;
  let kind: string | undefined;
  const isList = decl.name.text.endsWith('List');
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const field = m.name.getText().replace(/^"|"$/g, '');
    if (field === 'apiVersion' && ts.isLiteralTypeNode(m.type)) gv = (m.type.literal as ts.StringLiteral).text;
    if (field === 'kind' && ts.isLiteralTypeNode(m.type)) kind = (m.type.literal as ts.StringLiteral).text;
    let s = withDoc(typeToSchema(m.type), docOf(m));
    const ext = fieldExt[name]?.[field];
    if (ext) s = { ...s, ...ext };
    else if (s.type === 'array' && !(isList && field === 'items')) s = { ...s, 'x-kubernetes-list-type': 'atomic' };
    properties[field] = s;
    if (!m.questionToken) required.push(field);
  }
  const s: Schema = { ...(description ? { description } : {}), type: 'object' };
  if (decl.members.length) s.properties = properties;
  if (required.length) s.required = required;
  if (gv && kind) {
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    s['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  }
  if (atomicStructs.has(name)) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

function root(file: string, typeName: string): void {
  const sf = program.getSourceFile(join(typesDir, `${file}.d.ts`));
  const decl = sf?.statements.find((st): st is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
    (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === typeName);
  if (!decl) throw new Error(`${file}: no type ${typeName}`);
  declare(decl);
}

/** 'apps' → apps/v1, 'rbac.authorization.k8s.io' → rbac/v1, '' → core/v1: kubernetes-types' file per group. */
const fileOf = (group: string, version: string) => `${group.split('.')[0] || 'core'}/${version}`;

for (const t of allTypes()) {
  root(fileOf(t.group, t.version), t.kind);
  root(fileOf(t.group, t.version), `${t.kind}List`);
}
root('autoscaling/v1', 'Scale');
root('policy/v1', 'Eviction');
root('core/v1', 'Binding');
for (const m of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'WatchEvent', 'Patch', 'APIResourceList',
  'APIGroup', 'APIGroupList', 'APIVersions']) root('meta/v1', m);

for (let item = queue.shift(); item; item = queue.shift()) defs[item.name] = convert(item.name, item.decl);

defs[INT_OR_STRING] = {
  description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and ' +
    'unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that ' +
    'can accept a name or number.',
  type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true,
};

// meta/v1 types that every group version serves carry one GVK per group version, as upstream.
const everyGV = groups().flatMap((g) => g.versions.map((version) => ({ group: g.name, version })));
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
defs[`${meta}.Status`]['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'Status', version: 'v1' }];
for (const kind of ['DeleteOptions', 'WatchEvent']) {
  defs[`${meta}.${kind}`]['x-kubernetes-group-version-kind'] = everyGV.map((gv) => ({ ...gv, kind }));
}

// A typo in the tables above would silently drop patch metadata.
for (const [def, fields] of Object.entries(fieldExt)) {
  for (const f of Object.keys(fields)) if (!defs[def]?.properties?.[f]) throw new Error(`patch metadata for missing ${def}.${f}`);
}
for (const def of atomicStructs) if (!defs[def]) throw new Error(`atomic struct ${def} not generated`);

const sorted = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(out, JSON.stringify(sorted) + '\n');
console.log(`wrote ${Object.keys(sorted).length} definitions to ${relative(process.cwd(), out.pathname)}`);
