// Fixed-point numbers, defined once (STYLE §6; gemmlowp's fixedpoint and TFLite's reference
// kernels): a register holds a raw integer; its format says how many bits it has, whether it is
// signed (two's complement, the sign bit counted in `bits`), and how many of them are fractional.
// Rounding and overflow are named functions. Raw values are JavaScript numbers holding integers
// (exact below 2^53); products that could exceed that are widened to BigInt here and only here.
// Real ↔ raw conversion is for the compiler (toRaw) and for reports and tests (toReal).

export interface QFormat { readonly signed: boolean; readonly bits: number; readonly frac: number }

export type Rounding = 'nearest' | 'nearest_even' | 'toward_zero' | 'floor' | 'stochastic';
export type Overflow = 'saturate' | 'wrap';

/** 2^k for k in [−64, 64]: the hot paths look powers of two up rather than compute them (V8's ** is a general pow, tens of ns). */
const POW2 = Float64Array.from({ length: 129 }, (_, k) => 2 ** (k - 64));
export const pow2 = (k: number): number => (k >= -64 && k <= 64 ? (POW2[k + 64] as number) : 2 ** k);

export const rawMin = (f: QFormat): number => (f.signed ? -pow2(f.bits - 1) : 0);
export const rawMax = (f: QFormat): number => (f.signed ? pow2(f.bits - 1) - 1 : pow2(f.bits) - 1);
/** The value of one least significant bit. */
export const lsb = (f: QFormat): number => 2 ** -f.frac;
export const formatName = (f: QFormat): string => `${f.signed ? 's' : 'u'}${f.bits}.${f.frac}`;

/** Clamp to the format's range; `onSaturate` counts saturations (the core's counters). */
export function saturate(x: number, f: QFormat, onSaturate?: () => void): number {
  const lo = rawMin(f);
  const hi = rawMax(f);
  if (x > hi) { onSaturate?.(); return hi; }
  if (x < lo) { onSaturate?.(); return lo; }
  return x;
}

/** Two's-complement wrap-around into the format's range (what a register without saturation does). */
export function wrap(x: number, f: QFormat): number {
  const m = 2 ** f.bits;
  let r = ((x % m) + m) % m;
  if (f.signed && r > rawMax(f)) r -= m;
  return r;
}

export function overflow(x: number, f: QFormat, mode: Overflow, onSaturate?: () => void): number {
  return mode === 'saturate' ? saturate(x, f, onSaturate) : wrap(x, f);
}

/**
 * x / 2^n rounded to an integer. `random` is a uniform integer in [0, 2^n) for stochastic rounding
 * (the core's LFSR); it rounds up with probability (remainder / 2^n).
 *   nearest: half away from zero (gemmlowp RoundingDivideByPOT); nearest_even: half to even;
 *   toward_zero: truncate; floor: toward −∞ (an arithmetic shift).
 */
export function roundingShiftRight(x: number, n: number, mode: Rounding, random = 0): number {
  if (n <= 0) return x * pow2(-n);
  if (mode === 'stochastic') {
    const d = pow2(n);
    const fl = Math.floor(x / d) + 0; // + 0: never a negative zero
    return random < x - fl * d ? fl + 1 : fl;
  }
  // x is an integer below 2^53, so x·2^−n is exact (a change of exponent) and so is its rounding.
  return roundExact(x / pow2(n), mode);
}

/**
 * x rounded to the nearest integer, halves away from zero, without a data-dependent branch in the
 * common case (the core's hot loops): ⌊x + ½⌋, less one for a negative exact half. Exact whenever
 * x + ½ is (|x| < 2^52 with x a multiple of 2^−k, |x|·2^k < 2^53: every raw product scaled here).
 */
export function nearest(x: number): number {
  const up = Math.floor(x + 0.5);
  return (up - x === 0.5 && x < 0 ? up - 1 : up) + 0;
}

/**
 * An exactly represented value q (a quotient x / 2^n, or a real scaled by 2^frac) rounded to an integer:
 * nearest: half away from zero (gemmlowp RoundingDivideByPOT); nearest_even: half to even;
 * toward_zero: truncate; floor: toward −∞ (an arithmetic shift). q ± ½ is exact at these sizes.
 */
export function roundExact(q: number, mode: Exclude<Rounding, 'stochastic'>): number {
  if (!(Math.abs(q) < 4503599627370496)) return q + 0; // ≥ 2^52: already an integer (or not finite)
  switch (mode) {
    case 'nearest': return nearest(q);
    case 'floor': return Math.floor(q) + 0;
    case 'toward_zero': return Math.trunc(q) + 0;
    case 'nearest_even': {
      const fl = Math.floor(q);
      const diff = q - fl;
      return (diff > 0.5 ? fl + 1 : diff < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1) + 0;
    }
  }
}

/**
 * (a · b) / 2^shift, rounded: the product of a raw value and a raw coefficient (a decay α in
 * q1.15, say, with shift = 15). Exact for any operand sizes (BigInt when the product passes 2^53).
 */
export function mulShift(a: number, b: number, shift: number, mode: Rounding, random = 0): number {
  const p = a * b;
  if (Math.abs(p) < 2 ** 53) return roundingShiftRight(p, shift, mode, random);
  // Widen: the exact product in BigInt, rounded there; the result fits a register (< 2^53).
  const big = BigInt(a) * BigInt(b);
  const d = 1n << BigInt(shift);
  let fl = big / d;
  if (big < 0n && fl * d !== big) fl -= 1n; // BigInt division truncates; make it a floor
  const rem = big - fl * d; // in [0, d)
  const half = d / 2n;
  let up: boolean;
  switch (mode) {
    case 'floor': up = false; break;
    case 'toward_zero': up = big < 0n && rem !== 0n; break;
    case 'nearest': up = rem > half || (rem === half && big >= 0n); break;
    case 'nearest_even': up = rem > half || (rem === half && fl % 2n !== 0n); break;
    case 'stochastic': up = BigInt(random) < rem; break;
  }
  return Number(up ? fl + 1n : fl) + 0;
}

/** Real → raw: round(real · 2^frac) with the given rounding, then saturate. The compiler's conversion. */
export function toRaw(real: number, f: QFormat, mode: Exclude<Rounding, 'stochastic'> = 'nearest'): { raw: number; saturated: boolean } {
  const r = roundExact(real * 2 ** f.frac, mode);
  const s = saturate(r + 0, f);
  return { raw: s, saturated: s !== r };
}

/** Raw → real, for reports and tests only. */
export const toReal = (raw: number, f: QFormat): number => raw * 2 ** -f.frac;
