/**
 * @module intstr.GetScaledValueFromIntOrPercent: an IntOrString that is a count or "N%" of a
 * total, as PodDisruptionBudgets and rolling updates use it.
 */

/**
 * An integer as is; "N%" as N percent of `total`, rounded up or down. Throws upstream's
 * "invalid value for IntOrString: …" for a string that is not a percentage, or for no value.
 */
export function scaledValueFromIntOrPercent(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return Math.trunc(v);
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${digits}": invalid syntax`);
  }
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
