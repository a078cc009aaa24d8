// The one catalogue of diagnostics (the TypeScript compiler's convention: a stable numbered code,
// a severity and a message template). docs/diagnostics.md is generated from DIAG.
//   SNN0xxx  the file itself (encoding, size)      SNN1xxx  lexing and syntax
//   SNN2xxx  names, imports, parameters            SNN3xxx  values, units, ranges
//   SNN4xxx  structure and shapes (projections, data files, train blocks)
//   SNN5xxx  compiling for a core (mapping, ranges, quantisation)
import { SourceFile, type Span } from './span.ts';

export type Severity = 'error' | 'warning';

interface DiagSpec {
  readonly code: string;
  readonly severity: Severity;
  /** One line for the catalogue page. */
  readonly doc: string;
}

export const DIAG = {
  InvalidUtf8: { code: 'SNN0001', severity: 'error', doc: 'The file is not valid UTF-8 text.' },
  BinaryFile: { code: 'SNN0002', severity: 'error', doc: 'The file contains NUL bytes: it is binary, not a .snn text.' },
  EmptyFile: { code: 'SNN0003', severity: 'warning', doc: 'The file is empty or holds only comments: nothing to check.' },
  FileTooLarge: { code: 'SNN0004', severity: 'error', doc: 'The file is larger than the 16 MiB a .snn file may be.' },
  UnreadableFile: { code: 'SNN0005', severity: 'error', doc: 'The file could not be read (missing, a directory, or no permission).' },
  OutputUnwritable: { code: 'SNN0007', severity: 'error', doc: 'An output path that cannot be written: a missing or read-only directory, or a file where a directory is needed.' },
  CheckpointUnusable: { code: 'SNN0008', severity: 'error', doc: 'A checkpoint `train --resume` cannot continue: missing, damaged, of another program (file, overrides or core), or written by another phasecore or checkpoint format.' },
  TooManyErrors: { code: 'SNN0006', severity: 'error', doc: 'More than 100 errors in one file; the rest are not shown.' },
  SweepMismatch: { code: 'SNN0009', severity: 'error', doc: 'A sweep directory that belongs to another sweep (other files, axes, seeds, options, shard or phasecore), or is not a sweep\'s at all: `sweep` and `sweep merge` leave it as it is. Also shards of different sweeps given to one merge.' },
  NotASweep: { code: 'SNN0010', severity: 'error', doc: 'A directory given to `sweep merge` or `plot` that holds no sweep (no readable sweep.json).' },

  UnexpectedCharacter: { code: 'SNN1001', severity: 'error', doc: 'A character that cannot start any token.' },
  UnterminatedString: { code: 'SNN1002', severity: 'error', doc: 'A string literal without its closing quote on the same line.' },
  UnterminatedComment: { code: 'SNN1003', severity: 'error', doc: 'A `/*` block comment that is never closed.' },
  ExpectedToken: { code: 'SNN1010', severity: 'error', doc: 'The parser expected a specific token (a brace, `=`, a name) and found another.' },
  NoViableAlternative: { code: 'SNN1011', severity: 'error', doc: 'None of the constructs allowed here starts with the token found.' },
  ExpectedOneOrMore: { code: 'SNN1012', severity: 'error', doc: 'A list that needs at least one element is empty.' },
  TrailingInput: { code: 'SNN1013', severity: 'error', doc: 'Text after the end of what could be parsed (usually a stray closing brace).' },
  TooDeep: { code: 'SNN1020', severity: 'error', doc: 'Brackets or an expression nested more deeply than the parser allows.' },
  UnknownDeclaration: { code: 'SNN1030', severity: 'error', doc: 'A statement that starts with a word that is not a declaration keyword.' },
  MalformedDeclaration: { code: 'SNN1031', severity: 'error', doc: 'A declaration without the parts its form needs (a name, a size, a body).' },
  InvalidNumber: { code: 'SNN1032', severity: 'error', doc: 'A number literal too large to represent.' },

  UnknownName: { code: 'SNN2001', severity: 'error', doc: 'A name that is not declared (with a suggestion when one is close).' },
  DuplicateName: { code: 'SNN2002', severity: 'error', doc: 'A name declared twice in the same scope.' },
  WrongKind: { code: 'SNN2003', severity: 'error', doc: 'A name of the wrong kind, such as a core where a network is expected.' },
  ImportNotFound: { code: 'SNN2004', severity: 'error', doc: 'An imported file that does not exist or cannot be read.' },
  ImportCycle: { code: 'SNN2005', severity: 'error', doc: 'Files that import each other in a cycle.' },
  DuplicateImport: { code: 'SNN2006', severity: 'warning', doc: 'A file imported twice by the same file.' },
  UnknownParameter: { code: 'SNN2007', severity: 'error', doc: 'A parameter that the block or model does not have.' },
  DuplicateParameter: { code: 'SNN2008', severity: 'error', doc: 'A parameter given twice in one block.' },
  UnknownOption: { code: 'SNN2009', severity: 'error', doc: 'A value that is not one of the options of a parameter.' },
  MisplacedStatement: { code: 'SNN2010', severity: 'error', doc: 'A statement in a block where it has no meaning (a population in a core, say).' },
  MissingParameter: { code: 'SNN2011', severity: 'error', doc: 'A required parameter is missing.' },
  UnknownFunction: { code: 'SNN2012', severity: 'error', doc: 'A call of a function the expression language does not have.' },
  UnknownUnit: { code: 'SNN2013', severity: 'error', doc: 'A unit name that is not known.' },
  ConstantCycle: { code: 'SNN2014', severity: 'error', doc: 'Constants defined in terms of each other.' },
  UnknownConstraint: { code: 'SNN2015', severity: 'error', doc: 'A statement in a verify block that is neither one of its parameters nor a constraint phasecore knows.' },

  WrongDimension: { code: 'SNN3001', severity: 'error', doc: 'A quantity with the wrong physical dimension (a voltage where a duration is expected).' },
  IncompatibleUnits: { code: 'SNN3002', severity: 'error', doc: 'Arithmetic on quantities of incompatible dimensions (`20 ms + 3 mV`).' },
  WrongType: { code: 'SNN3003', severity: 'error', doc: 'A value of the wrong type (a string where a number is expected, say).' },
  OutOfRange: { code: 'SNN3004', severity: 'error', doc: 'A value outside the range a parameter allows (a negative time constant).' },
  NotInteger: { code: 'SNN3005', severity: 'error', doc: 'A fractional value where a whole number is needed.' },
  InvalidFormat: { code: 'SNN3006', severity: 'error', doc: 'A fixed-point format whose bit widths make no sense.' },
  WrongArguments: { code: 'SNN3007', severity: 'error', doc: 'A function or option called with the wrong number or names of arguments.' },
  NotFinite: { code: 'SNN3008', severity: 'error', doc: 'An expression that evaluates to infinity or not-a-number (division by zero).' },
  SuspiciousValue: { code: 'SNN3010', severity: 'warning', doc: 'A legal value that is probably a mistake (a time constant shorter than dt).' },

  ShapeMismatch: { code: 'SNN4001', severity: 'error', doc: 'A `.npy` array whose shape does not fit where it is used.' },
  InvalidNpy: { code: 'SNN4002', severity: 'error', doc: 'A `.npy` file that is missing, unreadable, or of a kind phasecore does not read.' },
  SizeMismatch: { code: 'SNN4004', severity: 'error', doc: 'Populations whose sizes do not fit the connectivity (one_to_one, self).' },
  InvalidProjection: { code: 'SNN4005', severity: 'error', doc: 'A projection that cannot exist (into an input, out of a readout, self between two populations).' },
  DuplicateProjection: { code: 'SNN4009', severity: 'error', doc: 'Two projections between the same source and target.' },
  TaskMismatch: { code: 'SNN4010', severity: 'error', doc: 'A task whose channels or outputs do not match the network.' },
  IncompatibleOptions: { code: 'SNN4011', severity: 'error', doc: 'Options that cannot be used together (e-prop with trainable time constants, say).' },
  Unconnected: { code: 'SNN4012', severity: 'warning', doc: 'A population or readout that receives no projection.' },
  SkipNotSkipping: { code: 'SNN4013', severity: 'warning', doc: 'A projection marked `skip` between adjacent layers.' },
  NoRunBlock: { code: 'SNN4016', severity: 'error', doc: 'A command needs a train, run or verify block the file does not have (or has several of, without --block).' },
  DataNotFinite: { code: 'SNN4018', severity: 'error', doc: 'A loaded `.npy` array holding NaN or infinity.' },
  SequenceLength: { code: 'SNN4019', severity: 'error', doc: 'A task whose sequences last no finite number of time steps, less than one, or more than the core\'s loop can count.' },
  MemoryBudget: { code: 'SNN4020', severity: 'error', doc: 'A train or run block whose state needs more memory than the budget (--max-memory).' },
  MemoryLarge: { code: 'SNN4021', severity: 'warning', doc: 'A train or run block whose state needs more than a quarter of the memory budget.' },
  OutOfMemory: { code: 'SNN4022', severity: 'error', doc: 'The machine refused an allocation the block\'s state needs (a budget raised past the memory that is free).' },
  DataUnusable: { code: 'SNN4017', severity: 'error', doc: 'Data that passed the check but could not be used when running (a file changed on disk, say).' },
  InvalidConstraint: { code: 'SNN4023', severity: 'error', doc: 'A verify block\'s constraint written the wrong way (`>=` for an upper bound, a value for a flag), given twice, or missing what it needs (a learning rule for a learning constraint, drift_after for a drift constraint).' },
  InvalidProbe: { code: 'SNN4015', severity: 'error', doc: 'A probe of a variable the probed neurons do not have, or out of their range.' },

  TooFewTiles: { code: 'SNN5001', severity: 'error', doc: 'The network needs more crossbar tiles than the core has.' },
  NoCore: { code: 'SNN5004', severity: 'error', doc: 'The block to compile names no core, and --core names none (or a core that does not exist).' },
  RegisterWraps: { code: 'SNN5002', severity: 'error', doc: 'A wrapping register can overflow: its proven bound exceeds its format.' },
  RegisterSaturates: { code: 'SNN5003', severity: 'warning', doc: 'A saturating register can reach its limit: its bound exceeds its format (counted at run time).' },
  WeightsVanish: { code: 'SNN5005', severity: 'warning', doc: 'Weights that quantise to zero on the device.' },
  DecayDegenerate: { code: 'SNN5006', severity: 'warning', doc: 'A decay that rounds to 1 (no leak) or to 0 (no memory) in its format.' },
  ThresholdUnreachable: { code: 'SNN5007', severity: 'warning', doc: 'A threshold above what the membrane register can hold: the neurons can never spike.' },
  FieldOverflow: { code: 'SNN5009', severity: 'error', doc: 'An instruction operand (a population size, a step count) larger than its field in the instruction set.' },
  NotOnChip: { code: 'SNN5010', severity: 'error', doc: 'A learning rule the core\'s learning unit cannot run where the file places it (Adam on chip, say); the message says which placement can.' },
  LeakDeadband: { code: 'SNN5013', severity: 'warning', doc: 'A leak rounded to nearest stops decaying a presynaptic trace at ½/(1 − α) LSB, a sizeable part of what one spike adds: the traces, and the eligibilities and gradients they drive, never return to zero (round the decay stochastically, or give the trace register more fractional bits).' },
  WeightBitsUnenforced: { code: 'SNN5014', severity: 'warning', doc: 'A core with weight_bits trained with a pulse-based update: the initial weights are on the weight_bits grid, the trained ones are not (program_verify keeps them on it).' },
  NotTrainedOnCore: { code: 'SNN5012', severity: 'warning', doc: 'A parameter the train block declares trainable that training on the core leaves as compiled (a readout\'s bias: the chip holds it in its program, not in devices).' },
  LearningOffChip: { code: 'SNN5011', severity: 'warning', doc: 'A train block whose learn rule the core\'s learning unit cannot run: the program is compiled for inference only (the message says why, and which placement can run it).' },
  AdcClips: { code: 'SNN5008', severity: 'warning', doc: 'The ADC clips the column currents the network typically produces, or its step is coarser than them.' },
} as const satisfies Record<string, DiagSpec>;

export type DiagKind = keyof typeof DIAG;

export interface Diagnostic {
  readonly file: string;
  readonly span: Span;
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
}

export function diag(kind: DiagKind, file: string, span: Span, message: string): Diagnostic {
  const spec = DIAG[kind];
  return { file, span, code: spec.code, severity: spec.severity, message };
}

/** `file:line:col: error SNN1001: message`, the source line, and a caret under the culprit. */
export function formatDiagnostic(d: Diagnostic, src: SourceFile | undefined): string {
  if (!src) return `${d.file}: ${d.severity} ${d.code}: ${d.message}`;
  const start = src.position(d.span.start);
  const end = src.position(d.span.end);
  const head = `${d.file}:${start.line + 1}:${start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
  const raw = src.lineText(start.line);
  if (raw.length > 400) return head; // a minified or binary-ish line: the caret would not help
  // Tabs are shown as single spaces so the caret lines up.
  const line = raw.replace(/\t/g, ' ');
  const width = end.line === start.line ? Math.max(1, end.character - start.character) : Math.max(1, line.length - start.character);
  const gutter = String(start.line + 1);
  const pad = ' '.repeat(gutter.length);
  return `${head}\n${gutter} | ${line}\n${pad} | ${' '.repeat(start.character)}${'^'.repeat(Math.min(width, Math.max(1, line.length - start.character)))}`;
}

/** The editor protocol's shape: 0-based positions. */
export function diagnosticToJson(d: Diagnostic, src: SourceFile | undefined) {
  const start = src ? src.position(d.span.start) : { line: 0, character: 0 };
  const end = src ? src.position(d.span.end) : { line: 0, character: 0 };
  return { file: d.file, range: { start, end }, severity: d.severity, code: d.code, message: d.message };
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** Edit distance for "did you mean" (Damerau–Levenshtein, optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return (d[m] as number[])[n] as number;
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const dist = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (dist < bestD) { bestD = dist; best = c; }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

export const didYouMean = (name: string, candidates: Iterable<string>): string => {
  const s = suggest(name, candidates);
  return s ? ` Did you mean '${s}'?` : '';
};
