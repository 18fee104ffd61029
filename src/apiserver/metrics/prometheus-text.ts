/**
 * @module Reads the Prometheus text exposition format (0.0.4) that kubelets serve on
 * /metrics/resource: samples with their labels, value and optional millisecond timestamp.
 * Comments (HELP, TYPE) are skipped; a malformed line is an error naming its line number.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      out.push(parseSample(line));
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}`);
    }
  }
  return out;
}

function parseSample(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`invalid metric name in ${JSON.stringify(line.slice(0, 80))}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) rest = parseLabels(rest.slice(1), labels);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2 || fields[0] === '') throw new Error(`want a value and an optional timestamp after ${name}`);
  const value = parseValue(fields[0]);
  if (fields.length === 1) return { name, labels, value };
  if (!/^-?\d+$/.test(fields[1])) throw new Error(`invalid timestamp ${JSON.stringify(fields[1])}`);
  return { name, labels, value, timestampMs: Number(fields[1]) };
}

/** Reads `name="value",…}` into `labels`; returns what follows the closing brace. */
function parseLabels(s: string, labels: Record<string, string>): string {
  let rest = s.trimStart();
  while (!rest.startsWith('}')) {
    const key = LABEL_NAME.exec(rest)?.[0];
    if (!key) throw new Error('invalid label name');
    rest = rest.slice(key.length).trimStart();
    if (!rest.startsWith('="') && !/^=\s*"/.test(rest)) throw new Error(`label ${key}: want ="value"`);
    rest = rest.slice(rest.indexOf('"') + 1);
    let value = '';
    for (let i = 0; ; i++) {
      if (i >= rest.length) throw new Error(`label ${key}: unterminated value`);
      const ch = rest[i];
      if (ch === '"') { rest = rest.slice(i + 1); break; }
      if (ch !== '\\') { value += ch; continue; }
      const next = rest[++i];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new Error(`label ${key}: invalid escape \\${next ?? ''}`);
    }
    if (key in labels) throw new Error(`label ${key} repeated`);
    labels[key] = value;
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith('}')) throw new Error(`label ${key}: want , or } after the value`);
  }
  return rest.slice(1);
}

/** Go's ParseFloat forms: decimals, exponents, NaN and ±Inf. */
function parseValue(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`invalid value ${JSON.stringify(s)}`);
  return Number(s);
}
