// The network as the core holds it, for the float reference: the weights the devices hold, and
// the decays, thresholds, biases, initial states and reset values as the program quantised them.
// Running the reference on it isolates the core's arithmetic (ADC, rounding, saturation) from
// quantisation, which the precision report already shows.
import type { Instance } from '../ir/instantiate.ts';
import type { CompileResult } from '../compiler/compile.ts';
import { decayValue } from '../compiler/quantize.ts';
import { toReal, type QFormat } from '../runtime/fixed.ts';
import type { Program } from '../runtime/program.ts';

export function heldInstance(compiled: CompileResult): Instance {
  const prog = compiled.program as Program;
  const inst = compiled.instance;
  const q = compiled.held;
  if (!prog || !inst || !q) throw new Error('internal: a held instance needs a compiled program');
  const dt = prog.symbols.dt;
  const R = prog.core.registers;
  const real = (raw: Int32Array, f: QFormat) => Float64Array.from(raw, (x) => toReal(x, f));
  const tau = (raw: Int32Array) => Float64Array.from(raw, (x) => -dt / Math.log(decayValue(x, prog.core.decayMode, R.decay)));
  // Per recurrent and readout index, the values of the population that holds it.
  const cat = (model: (m: string) => boolean, name: string, f: QFormat | 'decay', n: number, fallback: Float64Array) => {
    const out = Float64Array.from(fallback);
    prog.populations.forEach((p, i) => {
      const a = p.arrays[name];
      if (!model(p.model) || !a) return;
      out.set(f === 'decay' ? tau(a) : real(a, f), prog.symbols.layout[i]!.offset);
    });
    return out.length === n ? out : fallback;
  };
  const isRec = (m: string) => m === 'LIF' || m === 'ALIF';
  const isOut = (m: string) => m === 'LI';
  const { nRec, nOut } = inst.layout;
  const recPops = prog.populations.filter((p) => isRec(p.model));
  const recParams = inst.recParams.map((p, k) => {
    const pop = recPops[k];
    const conv = pop?.conventions;
    return {
      ...p,
      reset: p.reset.kind === 'to' && pop?.arrays.reset_value ? { kind: 'to' as const, value: toReal(pop.arrays.reset_value[0]!, R.membrane) } : p.reset,
      vMin: !conv || conv.vMin === null ? p.vMin : toReal(conv.vMin, R.membrane),
    };
  });
  const w = (b: Instance['inRec'], held: Float64Array) => ({ ...b, w: held });
  return {
    ...inst, recParams,
    tauM: cat(isRec, 'alpha', 'decay', nRec, inst.tauM), vTh: cat(isRec, 'v_th', R.threshold, nRec, inst.vTh), vInit: cat(isRec, 'v_init', R.membrane, nRec, inst.vInit), bias: cat(isRec, 'bias', R.accumulator, nRec, inst.bias),
    tauA: cat((m) => m === 'ALIF', 'rho', 'decay', nRec, inst.tauA), beta: cat((m) => m === 'ALIF', 'beta', R.threshold, nRec, inst.beta), aInit: cat((m) => m === 'ALIF', 'a_init', R.adaptation, nRec, inst.aInit),
    tauOut: cat(isOut, 'kappa', 'decay', nOut, inst.tauOut), biasOut: cat(isOut, 'bias', R.membrane, nOut, inst.biasOut), vInitOut: cat(isOut, 'v_init', R.membrane, nOut, inst.vInitOut),
    inRec: w(inst.inRec, q.inRec), recRec: w(inst.recRec, q.recRec), inOut: w(inst.inOut, q.inOut), recOut: w(inst.recOut, q.recOut),
  };
}
