// Generates docs/diagnostics.md and the parameter tables of docs/language.md from the one
// catalogue (DIAG) and the one schema (src/dsl/schema.ts). `npm run docs` rewrites them;
// tests/docs.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DIAG } from '../src/dsl/diagnostics.ts';
import * as S from '../src/dsl/schema.ts';
import { DIMENSIONS } from '../src/dsl/units.ts';
import { formulaText, ISA, kindText, OPCODES, UNITS, type OpSpec } from '../src/runtime/isa.ts';
import { PROGRAM_VERSION, REGISTERS } from '../src/runtime/program.ts';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: parameter tables (npm run docs) -->';
const END = '<!-- END GENERATED -->';

export function renderDiagnostics(): string {
  const lines = [
    '# Diagnostics',
    '',
    'Every problem phasecore reports has a stable code. Codes never change meaning; new ones are added.',
    'This page is generated from `src/dsl/diagnostics.ts` (`npm run docs`).',
    '',
    '| range | stage |',
    '|---|---|',
    '| SNN0xxx | the file itself: encoding, size |',
    '| SNN1xxx | lexing and syntax (semantic checks do not run on a file with these) |',
    '| SNN2xxx | names, imports, parameters, options |',
    '| SNN3xxx | values: units, types, ranges, formats |',
    '| SNN4xxx | structure: projections, shapes of data files, train and run blocks |',
    '| SNN5xxx | compiling for a core: tile mapping, ranges, quantisation |',
    '',
    'Printed form: `file:line:col: severity CODE: message`, then the source line and a caret under the',
    'culprit. With `--json`: `{"diagnostics": [{file, range: {start: {line, character}, end}, severity,',
    'code, message}]}` with 0-based positions.',
    '',
    '| exit code | meaning |',
    '|---|---|',
    '| 0 | success (warnings allowed) |',
    '| 1 | errors in the input (the diagnostics say which) |',
    '| 2 | a usage error: an unknown option, a malformed `--set`, `--iterations` or `--max-memory` |',
    '| 3 | an internal error: a bug in phasecore, printed with its stack; please report it with the input |',
    '| 130, 143 | `train` stopped by SIGINT (Ctrl-C) or SIGTERM after its current iteration; what exists was written |',
    '',
    '| code | severity | meaning |',
    '|---|---|---|',
  ];
  for (const d of Object.values(DIAG)) lines.push(`| ${d.code} | ${d.severity} | ${d.doc} |`);
  return `${lines.join('\n')}\n`;
}

function describeSpec(spec: S.Spec): string {
  switch (spec.t) {
    case 'quantity': {
      const info = DIMENSIONS[spec.dim];
      const u = spec.unit ?? info.unit;
      const noun = spec.dim === 'dimensionless' ? 'number' : `${spec.dim}${u ? ` (${u})` : ''}`;
      const also = spec.also ? ` or ${spec.also}` : '';
      const r: string[] = [];
      if (spec.min !== undefined) r.push(`${spec.minOpen ? '>' : '≥'} ${spec.min}`);
      if (spec.max !== undefined) r.push(`${spec.maxOpen ? '<' : '≤'} ${spec.max}`);
      return `${noun}${also}${r.length ? `, ${r.join(', ')}` : ''}`;
    }
    case 'int': return `whole number ${spec.min}…${spec.max}`;
    case 'bool': return '`on` / `off`';
    case 'enum': return spec.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'format': return 'format (`q1.15`, `s16.10`, `u12`)';
    case 'register': return 'register: `FORMAT`, `saturate(FORMAT, round = …)` or `wrap(FORMAT, round = …)`';
    case 'choice': return Object.entries(spec.options).map(([o, opt]) => `\`${o}${Object.values(opt.params ?? {}).some((p) => p.required) ? '(…)' : ''}\``).join(' \\| ');
    case 'init': {
      const u = DIMENSIONS[spec.dim].unit;
      const range = spec.min !== undefined ? `, ${spec.minOpen ? '>' : '≥'} ${spec.min}` : '';
      return `${spec.dim === 'dimensionless' ? 'number' : `${spec.dim} (${u})`}${range}: constant, \`~ distribution\` or \`load("….npy")\``;
    }
    case 'list': return `list of ${describeSpec(spec.of)}`;
    case 'names': return `list of ${spec.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'ref': return `name of a ${spec.kind}`;
    case 'dims': return `shape \`ROWS x COLS\` (each ≤ ${spec.max})`;
    case 'data': return '`load("file.npy")`';
  }
}

function table(params: S.Params): string[] {
  const out = ['| parameter | value | default | meaning |', '|---|---|---|---|'];
  for (const [k, p] of Object.entries(params)) {
    const dflt = p.default !== undefined ? `\`${p.default}\`` : p.required ? '**required**' : 'none';
    out.push(`| \`${k}\` | ${describeSpec(p.spec)} | ${dflt} | ${p.doc.replace(/\|/g, '\\|')} |`);
  }
  return out;
}

function options(title: string, spec: S.Spec, depth = 0): string[] {
  if (spec.t !== 'choice') return [];
  const indent = '  '.repeat(depth);
  const out = depth === 0 ? [`#### ${title}`, ''] : [];
  for (const [name, o] of Object.entries(spec.options)) {
    const pos = o.positional?.length ? ` (unnamed: ${o.positional.join(', ')})` : '';
    out.push(`${indent}- \`${name}\`${pos}: ${o.doc}`);
    for (const [k, p] of Object.entries(o.params ?? {})) {
      out.push(`${indent}  - \`${k}\`: ${describeSpec(p.spec)}; default ${p.default !== undefined ? `\`${p.default}\`` : p.required ? '**required**' : 'none'}. ${p.doc}`);
      // An option's parameter that is itself a choice (a device's refresh policy) lists its options too.
      out.push(...options('', p.spec, depth + 2));
    }
  }
  if (depth === 0) out.push('');
  return out;
}

function choicesOf(params: S.Params, prefix: string): string[] {
  return Object.entries(params).flatMap(([k, p]) => options(`${prefix}\`${k}\` options`, p.spec));
}

export function renderParameterTables(): string {
  const out: string[] = [BEGIN, ''];
  const section = (title: string, params: S.Params, doc?: string) => {
    out.push(`### ${title}`, '');
    if (doc) out.push(doc, '');
    out.push(...table(params), '', ...choicesOf(params, ''));
  };
  section('network', S.NETWORK_PARAMS);
  section('input', S.INPUT_PARAMS);
  for (const [name, m] of Object.entries(S.NEURON_MODELS)) section(`${m.role} model ${name}`, m.params, m.doc);
  out.push('### projections', '', 'Connectivity (after `:`; `dense` when omitted):', '');
  for (const [name, c] of Object.entries(S.CONNECTIVITY)) {
    out.push(`- \`${name}\`${c.positional?.length ? `(${c.positional.join(', ')})` : ''}: ${c.doc}`);
    for (const [k, p] of Object.entries(c.params ?? {})) out.push(`  - \`${k}\`: ${describeSpec(p.spec)}. ${p.doc}`);
  }
  out.push('', 'Body parameters:', '', ...table(S.PROJECTION_PARAMS), '');
  out.push('### initialisers', '', 'Distributions follow `~`; `load` and `constant` follow `=` (a plain expression is a constant too). Arguments take the dimension of the parameter they initialise (`tau_m ~ normal(20 ms, 5 ms)`); fan-in and fan-out are those of the projection.', '');
  for (const [name, ini] of Object.entries(S.INITIALISERS)) {
    const params = Object.entries(ini.params ?? {}).map(([k, p]) => `${k}${p.default !== undefined ? ` = ${p.default}` : ''}`).join(', ');
    out.push(`- \`${name}(${params})\`${ini.distribution ? ' (distribution)' : ''}: ${ini.doc}`);
  }
  out.push('');
  section('core', S.CORE_PARAMS);
  section('core › latency', S.LATENCY_PARAMS, 'Latencies in `cycles` of the core clock, or as a time (converted with the clock).');
  section('core › energy', S.ENERGY_PARAMS, 'Energy per operation. Defaults are order-of-magnitude literature values (Horowitz, ISSCC 2014, 45 nm digital; PCM pulse energies after Nandakumar et al.); override them for your process.');
  for (const [name, k] of Object.entries(S.LEARN_KINDS)) section(`learn … : ${name}`, k.params, k.doc);
  for (const [name, k] of Object.entries(S.TASK_KINDS)) section(`task … : ${name}`, k.params, k.doc);
  section('train', S.TRAIN_PARAMS);
  section('run', S.RUN_PARAMS);
  section('verify', S.VERIFY_PARAMS, 'A verify block\'s parameters; its constraints follow (`phasecore verify`, docs/verify.md).');
  out.push('#### constraints', '', 'Written `NAME` (a flag), `NAME <= BOUND` or `NAME >= BOUND`; a band is the same name written with both. A constraint passes when it holds for every seed verified.', '');
  out.push('| constraint | kind | written | bound | meaning |', '|---|---|---|---|---|');
  for (const [k, c] of Object.entries(S.CONSTRAINTS)) {
    const written = c.form === 'flag' ? `\`${k}\`` : c.form === 'at_most' ? `\`${k} <= …\`` : c.form === 'at_least' ? `\`${k} >= …\`` : `\`${k} >= …\`, \`${k} <= …\``;
    const bound = !c.bound ? '—' : c.bound.dim === 'dimensionless' ? (c.bound.percent ? 'a percentage (`5 %`)' : 'a plain number') : `${DIMENSIONS[c.bound.dim].noun}${c.bound.also ? ` or ${DIMENSIONS[c.bound.also].noun}` : ''}`;
    out.push(`| \`${k}\` | ${c.kind} | ${written} | ${bound} | ${c.doc.replace(/\|/g, '\\|')} |`);
  }
  out.push('');
  out.push('### probes', '', '`probe VARIABLE(TARGET, ...) { every = …; start = …; stop = … }` inside `train` or `run`. Targets are populations, inputs, readouts or groups, optionally sliced (`rec[0:8]`). A probe samples from step round(start/dt), every round(every/dt) steps, through round(stop/dt) or the sequence\'s end. `train --out DIR` writes each probe of the float reference — the trained network run on the first sequence of the last batch — as `probe_VARIABLE_TARGET.npy` (time × neurons) with `probe_VARIABLE_TARGET_times.npy` (seconds); the reference records every variable below except `trace`, which is the core\'s.', '');
  out.push('| variable | meaning | available on |', '|---|---|---|');
  for (const [k, v] of Object.entries(S.PROBE_VARIABLES)) out.push(`| \`${k}\` | ${v.doc} | ${v.models.join(', ')} |`);
  out.push('', ...table(S.PROBE_PARAMS), '', END);
  return out.join('\n');
}

export function renderLanguage(current: string): string {
  const a = current.indexOf(BEGIN);
  const b = current.indexOf(END);
  if (a < 0 || b < 0) throw new Error('docs/language.md lacks the generated-section markers');
  return current.slice(0, a) + renderParameterTables() + current.slice(b + END.length);
}

/** docs/isa.md, entirely from the ISA table. */
export function renderIsa(): string {
  const lines = [
    '# The instruction set',
    '',
    'Generated from `src/runtime/isa.ts` (`npm run docs`); a test fails when it is stale.',
    '',
    'Each instruction is one 64-bit little-endian word: bits 0–7 hold the opcode, the fields follow from',
    'bit 8 upwards in the order listed, each an unsigned integer of the given width; higher bits are',
    'zero. Latencies are in cycles of the core clock, from the core\'s `latency` table; `active` is the',
    'number of rows, pulses or pairs the data made active (event-driven work). The scoreboard',
    '(`src/runtime/schedule.ts`, the compiler\'s estimate and the core\'s count alike) issues in',
    'order; an instruction starts when its unit is free, the units it waits for are idle (STEP and',
    'HALT: every unit; SYNC: its mask), what it reads was last written by work that has ended, and',
    'what it writes is no longer read or written by earlier work. Units otherwise work in parallel.',
    '',
    `Units: ${UNITS.map((u) => `\`${u}\``).join(', ')}.`,
    '',
    'A field\'s kind says what it indexes; loading a program holds every operand to it (a tile or',
    'population that exists, a value of an enumeration, a range within the rows, columns, neurons,',
    'inputs or accumulators it names, a jump backwards).',
    '',
    '| opcode | mnemonic | unit | fields (bits, kind) | waits for | reads | writes | meaning |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const op of OPCODES) {
    const s: OpSpec = ISA[op];
    const fields = Object.entries(s.fields).map(([n, w]) => `${n}:${w.bits} (${kindText(w)})`).join(', ') || '—';
    const res = (rs: OpSpec['reads']) => rs.map((r) => (typeof r === 'string' ? r : 'tile' in r ? `tile ${r.tile}` : `population ${r.population}`)).join(', ') || '—';
    lines.push(`| 0x${s.code.toString(16).padStart(2, '0')} | \`${op}\` | ${s.unit} | ${fields} | ${s.waits.join(', ') || '—'} | ${res(s.reads)}${op === 'XBAR_READ' ? ', input, spikes or next_spikes (by src)' : ''} | ${res(s.writes)} | ${s.doc.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', '## Latency formulas', '');
  for (const op of OPCODES) lines.push(`- \`${op}\`: ${formulaText(ISA[op].latency)}`);
  lines.push('', '## Program files (.pcx)', '',
    `Little-endian: \`PCX\\0\`, u16 version (${PROGRAM_VERSION}), u16 reserved, then sections in this order (4-byte tag,`,
    'u32 length, payload):', '',
    '- `CORE`: sizes, latencies (cycles), clock, the DAC bits, the ADC (bits, range, noise, and its scale',
    '  from a code to accumulator units as a multiplier in [2^30, 2^31) and a right shift, as TFLite\'s',
    '  `QuantizeMultiplier`), the decay mode (multiply or shift), the device model and its parameters',
    '  (kind, profile, levels, devices per side, g_max, g_min, weight scale, noise/drift/compensation',
    '  flags, ν, t0, update period, refresh policy), the energy table (ADC law and prices), and the',
    `  format of every register: ${REGISTERS.map((r) => `\`${r}\``).join(', ')};`,
    '- `NEUR`: per population its name, model, size, conventions (reset kind, adaptive θ, reset timing,',
    '  `≥` or `>`, input factor, adaptation increment, refractory steps, v_min, graded inputs) and named',
    '  raw int32 arrays (parameters and initial states; docs/core.md lists them per model);',
    '- `TGTS`: per tile its shape and G⁺/G⁻ device targets (u16 levels);',
    '- `CODE`: u32 count, then the instruction words;',
    '- `PROB`: the schedule of every PROBE (instruction address; every, start, stop in steps);',
    '- `LERN`: the learning unit\'s constants (η as a shift and in the gradient format, trace increment,',
    '  feedback kind and B, update scheme, threshold, pulse) — empty without a learning rule;',
    '- `SYMS`: network name, dt, per population its index space, offset and first accumulator, the',
    '  source files, and per instruction its source line and column and what it serves;',
    '- `RUNS`: steps per sequence, samples, seed, and the task that supplies the inputs (JSON);',
    '- `END`: CRC-32 of everything before it.', '',
    'Decoding then encoding gives back the same bytes. Loading checks all of it and answers with a',
    'coded error: PCX1001 bad magic, PCX1002 another format version (recompile the `.snn` file),',
    'PCX1003 truncated, PCX1004 checksum mismatch, PCX1005 malformed, missing or misordered section,',
    'PCX1006 unknown opcode or stray bits, PCX1007 a value out of its range, PCX1008 a program that',
    'does not fit its core (a tile, row, column, population or jump target that does not exist).', '');
  return lines.join('\n');
}

export const DOC_FILES = {
  diagnostics: `${DOCS}diagnostics.md`,
  language: `${DOCS}language.md`,
  isa: `${DOCS}isa.md`,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DOC_FILES.diagnostics, renderDiagnostics());
  writeFileSync(DOC_FILES.language, renderLanguage(readFileSync(DOC_FILES.language, 'utf8')));
  writeFileSync(DOC_FILES.isa, renderIsa());
  console.log('docs/diagnostics.md, docs/language.md and docs/isa.md regenerated.');
}
