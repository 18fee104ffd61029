/**
 * @module resource.Quantity: parsing, canonical printing and arithmetic, following
 * k8s.io/apimachinery/pkg/api/resource. Values are exact (bigint × 10^scale), never floats.
 */

export type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The value is `unscaled × 10^scale`; `format` only decides how it prints. */
export interface Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: Format;
}

export const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** A malformed quantity; the messages are resource.ErrFormatWrong and ErrSuffix. */
export class QuantityError extends Error {
  constructor(message: string) { super(message); this.name = 'QuantityError'; }
}
const errFormatWrong = () => new QuantityError(`quantities must match the regular expression '${splitREString}'`);
const errSuffix = () => new QuantityError("unable to parse quantity's suffix");

const decSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binSuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decByExp = Object.fromEntries(Object.entries(decSuffixes).map(([s, e]) => [e, s]));
const binByExp = Object.fromEntries(Object.entries(binSuffixes).map(([s, e]) => [e, s]));
const MAX_INT64 = 2n ** 63n - 1n;
const pow10 = (n: number) => 10n ** BigInt(n);

interface Parts { positive: boolean; num: string; denom: string; suffix: string }

/** parseQuantityString: sign, digits, fraction and suffix, with upstream's leniencies ("1.", ".5"). */
function split(str: string): Parts {
  let pos = 0;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] === '+';
    pos++;
  }
  const digits = (from: number) => { let i = from; while (i < str.length && str[i] >= '0' && str[i] <= '9') i++; return i; };
  const numEnd = digits(pos);
  const num = str.slice(pos, numEnd).replace(/^0+/, '') || '0';
  pos = numEnd;
  let denom = '';
  if (str[pos] === '.') {
    const end = digits(pos + 1);
    denom = str.slice(pos + 1, end);
    pos = end;
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  if (digits(pos) !== str.length) throw errFormatWrong();
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpret(suffix: string): { base: 2 | 10; exponent: number; format: Format } {
  if (suffix in decSuffixes) return { base: 10, exponent: decSuffixes[suffix], format: 'DecimalSI' };
  if (suffix in binSuffixes) return { base: 2, exponent: binSuffixes[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw errSuffix();
}

/** Divides by 10^k rounding away from zero; returns whether it was exact. */
function roundAway(v: bigint, k: number): [bigint, boolean] {
  if (k <= 0) return [v * pow10(-k), true];
  const d = pow10(k);
  const q = v / d;
  if (q * d === v) return [q, true];
  return [v < 0n ? q - 1n : q + 1n, false];
}

/**
 * resource.ParseQuantity. Throws QuantityError with upstream's text. Non-zero values below one
 * nano round up to 1n; BinarySI values cap at 2^63-1, as upstream caps them.
 */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw errFormatWrong();
  const { positive, num, denom, suffix } = split(str);
  let { base, exponent, format } = interpret(suffix);
  let unscaled = BigInt(num + denom);
  let scale = -denom.length;
  if (base === 10) scale += exponent;
  else unscaled <<= BigInt(exponent);
  // Round the magnitude up to whole nanos: asking for a tiny amount still gets some.
  if (scale < -9) {
    [unscaled] = roundAway(unscaled, -9 - scale);
    scale = -9;
  }
  if (format === 'BinarySI') {
    if (compareParts(unscaled, scale, MAX_INT64, 0) > 0) [unscaled, scale] = [MAX_INT64, 0];
    if (unscaled !== 0n && compareParts(unscaled, scale, 1n, 0) < 0) format = 'DecimalSI';
  }
  return { unscaled: positive ? unscaled : -unscaled, scale, format };
}

function compareParts(a: bigint, as: number, b: bigint, bs: number): number {
  const s = Math.min(as, bs);
  const x = a * pow10(as - s);
  const y = b * pow10(bs - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const isZero = (q: Quantity) => q.unscaled === 0n;
/** Quantity.Cmp: -1, 0 or 1. */
export const compare = (a: Quantity, b: Quantity) => compareParts(a.unscaled, a.scale, b.unscaled, b.scale);

function combine(a: Quantity, b: Quantity, sign: 1n | -1n): Quantity {
  const s = Math.min(a.scale, b.scale);
  const unscaled = a.unscaled * pow10(a.scale - s) + sign * b.unscaled * pow10(b.scale - s);
  // A zero receiver takes the other operand's format, as Quantity.Add does.
  return { unscaled, scale: s, format: isZero(a) ? b.format : a.format };
}
export const add = (a: Quantity, b: Quantity) => combine(a, b, 1n);
export const sub = (a: Quantity, b: Quantity) => combine(a, b, -1n);
export const neg = (q: Quantity): Quantity => ({ ...q, unscaled: -q.unscaled });

/** Quantity.ScaledValue(10^scale), rounded away from zero; bigint so nothing is lost. */
export const scaledValue = (q: Quantity, scale: number) => roundAway(q.unscaled, scale - q.scale)[0];
/** Quantity.Value(): whole units (bytes, cores), rounded up. */
export const value = (q: Quantity) => Number(scaledValue(q, 0));
/** Quantity.MilliValue(): thousandths (millicores), rounded up. */
export const milliValue = (q: Quantity) => Number(scaledValue(q, -3));
/** Quantity.AsApproximateFloat64. */
export const toNumber = (q: Quantity) => Number(q.unscaled) * 10 ** q.scale;

/** resource.NewQuantity / NewMilliQuantity / NewScaledQuantity. */
export const newQuantity = (v: number | bigint, format: Format = 'DecimalSI'): Quantity => ({ unscaled: BigInt(v), scale: 0, format });
export const newMilliQuantity = (v: number | bigint, format: Format = 'DecimalSI'): Quantity => ({ unscaled: BigInt(v), scale: -3, format });

/** Strips factors of `f` from v; returns [rest, count]. */
function removeFactors(v: bigint, f: bigint): [bigint, number] {
  let n = 0;
  while (v !== 0n && v % f === 0n) { v /= f; n++; }
  return [v, n];
}

/**
 * Quantity.String(): the canonical form. "1000m" → "1", "1024Mi" → "1Gi", "0.5" → "500m",
 * "1.5Gi" → "1536Mi"; BinarySI falls back to DecimalSI below 1024 or when not whole.
 */
export function quantityString(q: Quantity): string {
  if (isZero(q)) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareParts(q.unscaled, q.scale, -1024n, 0) > 0 && compareParts(q.unscaled, q.scale, 1024n, 0) < 0;
    const whole = q.scale >= 0 || roundAway(q.unscaled, -q.scale)[1];
    if (small || !whole) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const [amount, times] = removeFactors(scaledValue(q, 0), 1024n);
    return `${amount}${binByExp[times * 10] ?? ''}`;
  }
  let [amount, times] = removeFactors(q.unscaled, 10n);
  let exponent = q.scale + times;
  // Exponents go in steps of three; past "E" the number carries the extra zeros.
  while (exponent % 3 !== 0 || (format === 'DecimalSI' && exponent > 18)) { amount *= 10n; exponent--; }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  return `${amount}${decByExp[exponent]}`;
}

/** Parses and reprints in canonical form; throws QuantityError on bad input. */
export const canonicalize = (s: string) => quantityString(parseQuantity(s));
