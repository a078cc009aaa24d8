import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DIMENSIONS, dimName, inUnit, lookupUnit, showQuantity } from '../../src/dsl/units.ts';

describe('units', () => {
  it('knows the units of the field, with prefixes, in SI', () => {
    expect(lookupUnit('ms')).toMatchObject({ si: 1e-3 });
    expect(dimName(lookupUnit('ms')!.dim)).toBe('time');
    expect(dimName(lookupUnit('uS')!.dim)).toBe('conductance');
    expect(dimName(lookupUnit('MHz')!.dim)).toBe('frequency');
    expect(dimName(lookupUnit('pJ')!.dim)).toBe('energy');
    expect(dimName(lookupUnit('bit')!.dim)).toBe('information');
    expect(lookupUnit('uS')!.si).toBeCloseTo(1e-6, 18);
  });
  it('reads cycle as a clock cycle, not an angle', () => {
    expect(dimName(lookupUnit('cycles')!.dim)).toBe('cycles');
    expect(lookupUnit('cycle')!.si).toBe(1);
  });
  it('refuses unknown units and units with an offset', () => {
    expect(lookupUnit('furlongs_per_fortnight')).toBeUndefined();
    expect(lookupUnit('degC')).toBeUndefined();
    expect(lookupUnit('1ms')).toBeUndefined();
  });
  it('shows quantities in the dimension\'s display unit', () => {
    expect(showQuantity({ si: 0.02, dim: DIMENSIONS.time.dim })).toBe('20 ms');
    expect(showQuantity({ si: 1.2e-5, dim: DIMENSIONS.conductance.dim })).toBe('12 uS');
    expect(showQuantity({ si: 0.5, dim: DIMENSIONS.dimensionless.dim })).toBe('0.5');
  });
  it('property: converting to a unit and back is the identity (to rounding)', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom('ms', 'us', 's', 'Hz', 'MHz', 'uS', 'pJ'), (x, u) => {
      const q = { si: x * lookupUnit(u)!.si, dim: lookupUnit(u)!.dim };
      expect(inUnit(q, u)).toBeCloseTo(x, 6);
    }));
  });
});
