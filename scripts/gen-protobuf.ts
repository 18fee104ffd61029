/**
 * Generates src/apiserver/protobuf/messages.json — the protobuf field numbers and types of every
 * Kubernetes API message — from the gzipped FileDescriptorProtos that Go's generated code embeds in
 * a Kubernetes client binary (kubectl 1.32 at /usr/bin/kubectl; the descriptors are upstream's
 * generated.proto files). kubectl's typed commands (create configmap/deployment/namespace, run, …)
 * send `application/vnd.kubernetes.protobuf` bodies; the API server decodes them with this table.
 * Run: node --import tsx scripts/gen-protobuf.ts [path-to-kubectl]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const binary = readFileSync(process.argv[2] ?? '/usr/bin/kubectl');
const out = new URL('../src/apiserver/protobuf/messages.json', import.meta.url);

type Fields = Map<number, { wire: number; data: Buffer | bigint }[]>;

/** Minimal protobuf reader: field number → values (varints as bigint, length-delimited as Buffer). */
function readMessage(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let i = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const num = key >> 3;
    const wire = key & 7;
    let data: Buffer | bigint;
    if (wire === 0) data = varint();
    else if (wire === 2) { const n = Number(varint()); data = buf.subarray(i, i + n); i += n; }
    else if (wire === 1) { data = buf.subarray(i, i + 8); i += 8; }
    else if (wire === 5) { data = buf.subarray(i, i + 4); i += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
    if (!fields.has(num)) fields.set(num, []);
    fields.get(num)!.push({ wire, data });
  }
  return fields;
}
const str = (f: Fields, n: number) => (f.get(n)?.[0]?.data as Buffer | undefined)?.toString('utf8');
const int = (f: Fields, n: number) => Number((f.get(n)?.[0]?.data as bigint | undefined) ?? 0n);
const msgs = (f: Fields, n: number) => (f.get(n) ?? []).map((v) => readMessage(v.data as Buffer));

/** [number, name, protobuf type (descriptor.proto's Type enum), message type or null, repeated 0/1] */
type FieldRow = [number, string, number, string | null, number];
const messages: Record<string, FieldRow[]> = {};
const mapEntries: string[] = [];

function addMessage(prefix: string, d: Fields): void {
  const name = `${prefix}.${str(d, 1)}`;
  messages[name] = msgs(d, 2).map((f) => [int(f, 3), str(f, 1)!, int(f, 5), str(f, 6)?.replace(/^\./, '') ?? null, int(f, 4) === 3 ? 1 : 0]);
  const options = msgs(d, 7)[0];
  if (options && int(options, 7) === 1) mapEntries.push(name);
  for (const nested of msgs(d, 3)) addMessage(name, nested);
}

const wanted = /^k8s\.io\/(api\/[a-z0-9]+\/v1|apimachinery\/pkg\/(apis\/meta\/v1|runtime|api\/resource|util\/intstr|runtime\/schema))\/generated\.proto$/;
const files: string[] = [];
for (let i = binary.indexOf(Buffer.from([0x1f, 0x8b, 0x08])); i >= 0; i = binary.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), i + 1)) {
  let file: Buffer;
  try {
    file = gunzipSync(binary.subarray(i, i + 4_000_000), { finishFlush: 2 });
  } catch {
    continue;
  }
  let d: Fields;
  try { d = readMessage(file); } catch { continue; }
  const name = str(d, 1);
  if (!name || !wanted.test(name) || files.includes(name)) continue;
  files.push(name);
  for (const m of msgs(d, 4)) addMessage(str(d, 2)!, m);
}
if (!files.includes('k8s.io/api/core/v1/generated.proto')) throw new Error('no Kubernetes protobuf descriptors found in the binary');
files.sort();
writeFileSync(out, `${JSON.stringify({ files, mapEntries: mapEntries.sort(), messages }, null, 0)}\n`);
console.log(`${files.length} files, ${Object.keys(messages).length} messages → ${out.pathname}`);
