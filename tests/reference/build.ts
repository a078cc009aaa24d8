// Build a realised network from .snn source text, for the reference's tests.
import { expect } from 'vitest';
import { checkText } from '../helpers.ts';
import { lowerNetwork } from '../../src/compiler/lower.ts';
import { instantiate, type Instance } from '../../src/ir/instantiate.ts';
import { MT19937 } from '../../src/data/random.ts';
import { dynamics, type Dynamics } from '../../src/reference/simulate.ts';

export function buildNetwork(src: string, seed: number): { inst: Instance; dyn: Dynamics; dt: number } {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const program = [...r.programs.values()][0]!;
  const net = lowerNetwork([...program.networks.values()][0]!);
  const inst = instantiate(net, MT19937.legacy(seed));
  return { inst, dyn: dynamics(inst, net.dt), dt: net.dt };
}
