/**
 * @module resource.Quantity parsing and canonical printing ("1.5" → "1500m", "1024Mi" → "1Gi"), exact to
 * the nano as upstream, so validation can compare requests with limits and quote values as the API does.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
export interface Quantity {
  /** The value times 10^9, rounded up to a whole nano as upstream does. */
  nanos: bigint;
  format: QuantityFormat;
}

export const quantityFormatError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const binary: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const decimalSuffix = Object.fromEntries(Object.entries(decimal).map(([s, e]) => [e, s])) as Record<number, string>;

const pow = (b: bigint, e: number) => b ** BigInt(e);

/** Parses a quantity; a string result is the error upstream reports for it. */
export function parseQuantity(input: string | number): Quantity | string {
  const s = String(input);
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(s);
  if (!m || (!m[2] && !m[3])) return quantityFormatError;
  const [, sign, whole, frac = '', suffix] = m;
  let format: QuantityFormat;
  let num: bigint; // the value times 10^9 times `den`
  let den = 1n;
  const digits = BigInt(`${whole}${frac}` || '0');
  const fracScale = pow(10n, frac.length);
  if (suffix in binary) {
    format = 'BinarySI';
    num = digits * pow(1024n, binary[suffix]) * 1_000_000_000n;
    den = fracScale;
  } else if (suffix in decimal) {
    format = 'DecimalSI';
    ({ num, den } = scaleDecimal(digits, fracScale, decimal[suffix]));
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    ({ num, den } = scaleDecimal(digits, fracScale, Number(suffix.slice(1))));
  } else {
    return "unable to parse quantity's suffix";
  }
  let nanos = num / den + (num % den === 0n ? 0n : 1n);
  if (sign === '-') nanos = -nanos;
  return { nanos, format };
}

function scaleDecimal(digits: bigint, fracScale: bigint, exp: number): { num: bigint; den: bigint } {
  const e = exp + 9;
  return e >= 0 ? { num: digits * pow(10n, e), den: fracScale } : { num: digits, den: fracScale * pow(10n, -e) };
}

/** Quantity.String(): the canonical form, keeping the format unless that would lose precision. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  const sign = neg ? '-' : '';
  const billion = 1_000_000_000n;
  // Binary form is kept only for whole values of at least 1024 (as CanonicalizeBytes does).
  if (q.format === 'BinarySI' && abs >= 1024n * billion && abs % billion === 0n) {
    let v = abs / billion;
    let k = 0;
    while (k < 6 && v % 1024n === 0n) { v /= 1024n; k++; }
    return `${sign}${v}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k]}`;
  }
  let exp = 18;
  while (exp > -9 && abs % pow(10n, exp + 9) !== 0n) exp -= 3;
  const mantissa = abs / pow(10n, exp + 9);
  const suffix = q.format === 'DecimalExponent' ? (exp ? `e${exp}` : '') : decimalSuffix[exp];
  return `${sign}${mantissa}${suffix}`;
}

export const compareQuantity = (a: Quantity, b: Quantity) => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);
