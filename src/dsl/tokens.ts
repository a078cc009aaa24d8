// Tokens of the .snn language. Keywords are not tokens: the grammar is generic (a statement
// starts with a word), and the AST builder gives each word its meaning. This keeps `network`,
// `core`, `input`... usable as parameter names (`network = pattern` in a train block).
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true });
/** An unclosed block comment: lexed so it can be reported once, precisely. */
export const BadBlockComment = createToken({ name: 'BadBlockComment', pattern: /\/\*[\s\S]*/, group: 'bad', line_breaks: true });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*|%/, label: 'a name' });
/** Fixed-point formats: s16.10 (signed, 16 bits, 10 fractional), u12, q1.15 (1 integer + 15 fractional bits). */
export const Format = createToken({ name: 'Format', pattern: /[su]\d+(?:\.\d+)?|q\d+\.\d+/, longer_alt: Identifier, label: 'a fixed-point format such as s16.10' });
export const NumberLit = createToken({ name: 'NumberLit', pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/, label: 'a number' });
// A string is a JSON string on one line: escapes \" \\ \/ \b \f \n \r \t \uXXXX.
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/, label: 'a string' });
/** A string that does not close on its line, or has a bad escape: reported once. */
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\n\r]|\\[^\n\r])*"?/, group: 'bad' });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Tilde = createToken({ name: 'Tilde', pattern: /~/, label: "'~'" });
/** A constraint's bound in a verify block: `tiles <= 2`, `spike_agreement >= 95 %`. */
export const AtMost = createToken({ name: 'AtMost', pattern: /<=/, label: "'<='" });
export const AtLeast = createToken({ name: 'AtLeast', pattern: />=/, label: "'>='" });
/** The category of the five binary operators: the grammar reads an expression as a flat
 *  operand (operator operand)* list, and the AST builder applies precedence (fewer CST levels). */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA, label: 'an operator' });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'", categories: [BinaryOp] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'", categories: [BinaryOp] });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'", categories: [BinaryOp] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'", categories: [BinaryOp] });
export const Caret = createToken({ name: 'Caret', pattern: /\^/, label: "'^'", categories: [BinaryOp] });

// Order matters: comments before '/', '->' before '-', formats before names.
export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, BadBlockComment,
  StringLit, BadString,
  Arrow, LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Semicolon, Colon, Equals, Tilde, AtMost, AtLeast,
  BinaryOp, Plus, Minus, Star, Slash, Caret,
  NumberLit, Format, Identifier,
];

export const SnnLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  skipValidations: true,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, offset, length) => {
      const ch = text.slice(offset, offset + Math.max(1, Math.min(length, 1)));
      const code = ch.codePointAt(0) ?? 0;
      const shown = code < 32 || code === 127 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
      return `Unexpected character ${shown}: it cannot start a name, number, string or operator.`;
    },
    buildUnableToPopLexerModeMessage: () => 'internal: lexer mode',
  },
});
