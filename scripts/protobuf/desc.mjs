// Extracts FileDescriptorProtos embedded (gzipped) in the kubectl binary; prints a JSON model.
// Usage (from this folder): node desc.mjs && node gen.mjs ../../src/apimachinery/protobuf/table — reads /usr/bin/kubectl, writes model.json here (not committed).
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const b = readFileSync('/usr/bin/kubectl');
function read(buf) { // -> array of [num, wt, value]
  const out = []; let p = 0;
  const varint = () => { let r = 0n, s = 0n; for (;;) { const c = buf[p++]; r |= BigInt(c & 0x7f) << s; s += 7n; if (!(c & 0x80)) return r; } };
  while (p < buf.length) { const k = Number(varint()); const n = k >> 3, wt = k & 7;
    if (wt === 0) out.push([n, wt, varint()]); else if (wt === 2) { const l = Number(varint()); out.push([n, wt, buf.subarray(p, p + l)]); p += l; }
    else if (wt === 1) { p += 8; } else if (wt === 5) { p += 4; } else throw new Error('wt ' + wt); }
  return out;
}
const str = (v) => v.toString('utf8');
const files = {};
const magic = Buffer.from([0x1f,0x8b,0x08]);
for (let i = b.indexOf(magic); i >= 0; i = b.indexOf(magic, i + 1)) {
  let out; try { out = gunzipSync(b.subarray(i, i + 400000), { finishFlush: 2 }); } catch { continue; }
  if (!out.subarray(0, 120).toString('latin1').includes('generated.proto')) continue;
  const f = read(out); const name = str(f.find((x) => x[0] === 1)[2]); const pkg = str(f.find((x) => x[0] === 2)[2]);
  const msgs = {};
  const msg = (prefix, m) => { const fs = read(m); const mname = prefix + '.' + str(fs.find((x) => x[0] === 1)[2]);
    const opts = fs.filter((x) => x[0] === 7).flatMap((x) => read(x[2]));
    const d = { fields: [], mapEntry: opts.some((o) => o[0] === 7 && o[2] === 1n), fopts: [] };
    msgs[mname] = d;
    for (const [n, , v] of fs) {
      if (n === 2) { const ff = read(v); const g = (k) => ff.find((x) => x[0] === k)?.[2];
        d.fields.push({ name: str(g(1)), number: Number(g(3)), label: Number(g(4)), type: Number(g(5)), typeName: g(6) ? str(g(6)) : undefined, opts: g(8) ? [...g(8)] : undefined, json: g(10) ? str(g(10)) : undefined }); }
      if (n === 3) msg(mname, v);
    }
  };
  for (const [n, , v] of f) if (n === 4) msg('.' + pkg, v);
  files[name] = { pkg, msgs };
}
writeFileSync('model.json', JSON.stringify(files, null, 1));
const all = Object.values(files).flatMap((f) => Object.values(f.msgs).flatMap((m) => m.fields));
