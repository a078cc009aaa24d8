// Physical quantities. Unit names and their dimensions come from mathjs (the unit table); the
// arithmetic on quantities is ours: a value in SI base units plus a vector of dimension exponents.
// Dimensions: mathjs's nine (mass, length, time, current, temperature, luminous intensity,
// amount, angle, bit) and a tenth of ours, clock cycles (`cycle`, `cycles`), for latencies.
import { create, unitDependencies } from 'mathjs';

export type Dim = readonly number[];
export interface Quantity { readonly si: number; readonly dim: Dim }

const N_DIMS = 10;
const CYCLE_INDEX = 9;
export const DIMENSIONLESS: Dim = Object.freeze(new Array<number>(N_DIMS).fill(0));

const math = create({ unitDependencies: unitDependencies as NonNullable<typeof unitDependencies> }, {});
interface MathUnit { value: number; dimensions: number[]; units: Array<{ unit: { name: string; offset: number } }> }
interface UnitClass { parse(s: string): MathUnit; isValuelessUnit(s: string): boolean }
const Unit = (math as unknown as { Unit: UnitClass }).Unit;

const unitCache = new Map<string, Quantity | null>();

/** The scale and dimension of a unit name (`ms` → 0.001 s), or undefined if unknown. */
export function lookupUnit(name: string): Quantity | undefined {
  const hit = unitCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  let q: Quantity | null = null;
  if (name === '%') q = { si: 0.01, dim: DIMENSIONLESS }; // a percentage: `95 %` is 0.95
  else if (name === 'cycle' || name === 'cycles') {
    // mathjs's `cycle` is an angle (2π rad); in a chip description it is a clock cycle.
    const dim = new Array<number>(N_DIMS).fill(0);
    dim[CYCLE_INDEX] = 1;
    q = { si: 1, dim };
  } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && Unit.isValuelessUnit(name)) {
    const u = Unit.parse(`1 ${name}`);
    // Units with an offset (degC, degF) do not multiply; they have no place in this language.
    if (u.units.every((x) => x.unit.offset === 0)) q = { si: u.value, dim: [...u.dimensions, 0] };
  }
  unitCache.set(name, q);
  return q ?? undefined;
}

export const sameDim = (a: Dim, b: Dim): boolean => a.every((x, i) => Math.abs(x - (b[i] ?? 0)) < 1e-12);
export const isDimensionless = (d: Dim): boolean => d.every((x) => x === 0);
export const dimTimes = (a: Dim, b: Dim, sign = 1): Dim => a.map((x, i) => x + sign * (b[i] ?? 0));
export const dimPow = (a: Dim, p: number): Dim => a.map((x) => x * p);

const v = (...e: number[]): Dim => { const d = new Array<number>(N_DIMS).fill(0); e.forEach((x, i) => { d[i] = x; }); return d; };

/** Named dimensions the language talks about, each with a unit to show values in and an example. */
export const DIMENSIONS = {
  dimensionless: { dim: DIMENSIONLESS, noun: 'a plain number', unit: '', example: '0.5' },
  time: { dim: v(0, 0, 1), noun: 'a duration', unit: 'ms', example: '20 ms' },
  frequency: { dim: v(0, 0, -1), noun: 'a frequency', unit: 'Hz', example: '50 Hz' },
  conductance: { dim: v(-1, -2, 3, 2), noun: 'a conductance', unit: 'uS', example: '12 uS' },
  voltage: { dim: v(1, 2, -3, -1), noun: 'a voltage', unit: 'mV', example: '10 mV' },
  current: { dim: v(0, 0, 0, 1), noun: 'a current', unit: 'nA', example: '1 nA' },
  energy: { dim: v(1, 2, -2), noun: 'an energy', unit: 'pJ', example: '2 pJ' },
  power: { dim: v(1, 2, -3), noun: 'a power', unit: 'mW', example: '1 mW' },
  resistance: { dim: v(1, 2, -3, -2), noun: 'a resistance', unit: 'ohm', example: '100 ohm' },
  capacitance: { dim: v(-1, -2, 4, 2), noun: 'a capacitance', unit: 'pF', example: '250 pF' },
  information: { dim: v(0, 0, 0, 0, 0, 0, 0, 0, 1), noun: 'a number of bits', unit: 'bit', example: '8 bit' },
  cycles: { dim: v(0, 0, 0, 0, 0, 0, 0, 0, 0, 1), noun: 'a number of clock cycles', unit: 'cycles', example: '4 cycles' },
  angle: { dim: v(0, 0, 0, 0, 0, 0, 0, 1), noun: 'an angle', unit: 'rad', example: '1 rad' },
} as const;
export type DimName = keyof typeof DIMENSIONS;

export function dimName(d: Dim): DimName | undefined {
  for (const [k, info] of Object.entries(DIMENSIONS)) if (sameDim(info.dim, d)) return k as DimName;
  return undefined;
}

/** "a duration", "a voltage", or the base-unit form (`kg m^2 s^-3`) for unnamed dimensions. */
export function describeDim(d: Dim): string {
  const n = dimName(d);
  if (n) return DIMENSIONS[n].noun;
  const base = ['kg', 'm', 's', 'A', 'K', 'cd', 'mol', 'rad', 'bit', 'cycle'];
  const parts = d.map((x, i) => (x === 0 ? '' : x === 1 ? base[i] : `${base[i]}^${+x.toFixed(3)}`)).filter(Boolean);
  return `a quantity in ${parts.join(' ')}`;
}

/** A quantity in the named dimension's display unit: `20 ms`, `12 uS`, `0.5`. */
export function showQuantity(q: Quantity): string {
  const n = dimName(q.dim);
  const num = (x: number) => +x.toPrecision(6);
  if (n === 'dimensionless') return String(num(q.si));
  if (n) {
    const info = DIMENSIONS[n];
    const scale = (lookupUnit(info.unit) as Quantity).si;
    return `${num(q.si / scale)} ${info.unit}`;
  }
  return `${num(q.si)} (${describeDim(q.dim)})`;
}

/** Value of q in a unit (`inUnit(q, 'ms')`); the caller has checked the dimension. */
export function inUnit(q: Quantity, unit: string): number {
  const u = lookupUnit(unit);
  if (!u) throw new Error(`internal: unknown unit ${unit}`);
  return q.si / u.si;
}
