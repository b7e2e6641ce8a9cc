// Evaluates the subset of CEL that webhook matchConditions use, against a simulated admission request.
//
// The apiserver evaluates matchConditions with the full CEL library; webhook-guard needs only to know
// whether a condition skips a given request. So this reads the common forms (field access, `has()`,
// comparisons, `in`, `&&`/`||`/`!`, `?:`, string methods, `exists`/`all`, `size`) and answers
// UNKNOWN for everything else, which callers treat as "may or may not intercept". It never throws.

/** UNKNOWN is a value webhook-guard cannot know offline (an unsupported function, an unsimulated field). */
export const UNKNOWN: unique symbol = Symbol('unknown');
/** CelError is an evaluation error (a missing key, a type mismatch): the apiserver applies the failurePolicy. */
export class CelError {
  constructor(readonly message: string) {}
}

type Value = null | boolean | number | string | Value[] | { [k: string]: Value } | typeof UNKNOWN | CelError;

/** Activation is the variables a condition can read. Missing variables (authorizer, params…) are UNKNOWN. */
export type Activation = Record<string, unknown>;

/** evaluateCondition runs one expression: true, false, an evaluation error, or UNKNOWN (unsupported or unknowable). */
export function evaluateCondition(expression: string, vars: Activation): boolean | CelError | typeof UNKNOWN {
  const ast = parsed(expression);
  if (ast === null) return UNKNOWN;
  const v = evaluate(ast, vars as Record<string, Value>, new Set(Object.keys(vars)));
  if (v === UNKNOWN || v instanceof CelError) return v;
  if (typeof v === 'boolean') return v;
  return new CelError('condition did not evaluate to a bool');
}

// Each webhook's conditions are evaluated for many requests (every backend need, in every namespace asked about):
// each expression is parsed once. null is an expression outside the subset. (Bounded: cleared past a size no run reaches.)
const PARSED = new Map<string, Node | null>();

function parsed(expression: string): Node | null {
  let ast = PARSED.get(expression);
  if (ast !== undefined) return ast;
  try {
    ast = new Parser(expression).parseAll();
  } catch {
    ast = null;
  }
  if (PARSED.size > 10_000) PARSED.clear();
  PARSED.set(expression, ast);
  return ast;
}

// ---- lexer and parser ----

type Node =
  | { t: 'lit'; v: Value }
  | { t: 'id'; name: string }
  | { t: 'sel'; obj: Node; field: string }
  | { t: 'idx'; obj: Node; index: Node }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'un'; op: string; arg: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'cond'; c: Node; a: Node; b: Node }
  | { t: 'list'; items: Node[] }
  | { t: 'map'; entries: Array<[Node, Node]> };

interface Token {
  k: 'num' | 'str' | 'id' | 'op' | 'end';
  v: string;
}

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '+',
  '-',
  '*',
  '/',
  '%',
];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?[uU]?/.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0].replace(/[uU]$/, '') });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      if (src.startsWith(c.repeat(3), i)) throw new Error('triple-quoted strings are not supported');
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const e = src[j + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new Error('unterminated string');
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected ${c}`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end', v: '' });
  return out;
}

class Parser {
  private toks: Token[];
  private p = 0;

  constructor(src: string) {
    this.toks = lex(src);
  }

  parseAll(): Node {
    const n = this.expr();
    if (this.peek().k !== 'end') throw new Error('trailing input');
    return n;
  }

  private peek(): Token {
    return this.toks[this.p];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }

  private eat(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected ${v}`);
    this.p++;
  }

  private expr(): Node {
    const c = this.or();
    if (this.isOp('?')) {
      this.p++;
      const a = this.expr();
      this.eat(':');
      const b = this.expr();
      return { t: 'cond', c, a, b };
    }
    return c;
  }

  private or(): Node {
    let l = this.and();
    while (this.isOp('||')) {
      this.p++;
      l = { t: 'bin', op: '||', l, r: this.and() };
    }
    return l;
  }

  private and(): Node {
    let l = this.rel();
    while (this.isOp('&&')) {
      this.p++;
      l = { t: 'bin', op: '&&', l, r: this.rel() };
    }
    return l;
  }

  private rel(): Node {
    let l = this.add();
    for (;;) {
      const t = this.peek();
      const op =
        t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v) ? t.v : t.k === 'id' && t.v === 'in' ? 'in' : undefined;
      if (!op) return l;
      this.p++;
      l = { t: 'bin', op, l, r: this.add() };
    }
  }

  private add(): Node {
    let l = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.toks[this.p++].v;
      l = { t: 'bin', op, l, r: this.mul() };
    }
    return l;
  }

  private mul(): Node {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.toks[this.p++].v;
      l = { t: 'bin', op, l, r: this.unary() };
    }
    return l;
  }

  private unary(): Node {
    if (this.isOp('!') || this.isOp('-')) {
      const op = this.toks[this.p++].v;
      return { t: 'un', op, arg: this.unary() };
    }
    return this.member();
  }

  private member(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.p++;
        const id = this.toks[this.p++];
        if (id.k !== 'id') throw new Error('expected a field name');
        if (this.isOp('(')) n = { t: 'call', fn: id.v, target: n, args: this.args(')') };
        else n = { t: 'sel', obj: n, field: id.v };
      } else if (this.isOp('[')) {
        this.p++;
        const index = this.expr();
        this.eat(']');
        n = { t: 'idx', obj: n, index };
      } else return n;
    }
  }

  private args(close: string): Node[] {
    this.p++;
    const out: Node[] = [];
    while (!this.isOp(close)) {
      out.push(this.expr());
      if (!this.isOp(close)) this.eat(',');
    }
    this.p++;
    return out;
  }

  private primary(): Node {
    const t = this.toks[this.p++];
    if (t.k === 'num') return { t: 'lit', v: Number(t.v) };
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { t: 'lit', v: null };
      if (this.isOp('(')) return { t: 'call', fn: t.v, args: this.args(')') };
      return { t: 'id', name: t.v };
    }
    if (t.k === 'op' && t.v === '(') {
      const n = this.expr();
      this.eat(')');
      return n;
    }
    if (t.k === 'op' && t.v === '[') {
      this.p--;
      return { t: 'list', items: this.args(']') };
    }
    if (t.k === 'op' && t.v === '{') {
      const entries: Array<[Node, Node]> = [];
      while (!this.isOp('}')) {
        const k = this.expr();
        this.eat(':');
        entries.push([k, this.expr()]);
        if (!this.isOp('}')) this.eat(',');
      }
      this.p++;
      return { t: 'map', entries };
    }
    throw new Error(`unexpected ${t.v || 'end of expression'}`);
  }
}

// ---- evaluation ----

const isMap = (v: Value): v is { [k: string]: Value } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof CelError);
const bad = (v: Value): v is typeof UNKNOWN | CelError => v === UNKNOWN || v instanceof CelError;

// firstBad picks what an operation on several operands yields: UNKNOWN wins over an error, as in CEL.
function firstBad(...vs: Value[]): Value | undefined {
  if (vs.includes(UNKNOWN)) return UNKNOWN;
  return vs.find((v) => v instanceof CelError);
}

function evaluate(n: Node, vars: Record<string, Value>, known: Set<string>): Value {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'id':
      return known.has(n.name) ? toValue(vars[n.name]) : UNKNOWN;
    case 'sel': {
      const o = evaluate(n.obj, vars, known);
      return select(o, n.field);
    }
    case 'idx': {
      const o = evaluate(n.obj, vars, known);
      const i = evaluate(n.index, vars, known);
      const b = firstBad(o, i);
      if (b !== undefined) return b;
      if (Array.isArray(o) && typeof i === 'number') return i >= 0 && i < o.length ? o[i] : new CelError('index out of range');
      if (isMap(o) && typeof i === 'string') return select(o, i);
      return new CelError('no such overload: index');
    }
    case 'un': {
      const a = evaluate(n.arg, vars, known);
      if (bad(a)) return a;
      if (n.op === '!') return typeof a === 'boolean' ? !a : new CelError('no such overload: !');
      return typeof a === 'number' ? -a : new CelError('no such overload: -');
    }
    case 'cond': {
      const c = evaluate(n.c, vars, known);
      if (bad(c)) return c;
      if (typeof c !== 'boolean') return new CelError('no such overload: ?:');
      return evaluate(c ? n.a : n.b, vars, known);
    }
    case 'bin':
      return binary(n, vars, known);
    case 'list': {
      const items = n.items.map((x) => evaluate(x, vars, known));
      return firstBad(...items) ?? items;
    }
    case 'map': {
      const out: Record<string, Value> = {};
      for (const [kn, vn] of n.entries) {
        const k = evaluate(kn, vars, known);
        const v = evaluate(vn, vars, known);
        const b = firstBad(k, v);
        if (b !== undefined) return b;
        out[String(k)] = v;
      }
      return out;
    }
    case 'call':
      return call(n, vars, known);
  }
}

function select(o: Value, field: string): Value {
  if (bad(o)) return o;
  if (!isMap(o)) return new CelError(`no such key: ${field}`);
  if (!Object.prototype.hasOwnProperty.call(o, field)) return new CelError(`no such key: ${field}`);
  return o[field];
}

function binary(n: Extract<Node, { t: 'bin' }>, vars: Record<string, Value>, known: Set<string>): Value {
  if (n.op === '&&' || n.op === '||') {
    // CEL's logical operators are commutative over errors and unknowns: one decisive side decides.
    const decisive = n.op === '||';
    const l = evaluate(n.l, vars, known);
    if (l === decisive) return decisive;
    const r = evaluate(n.r, vars, known);
    if (r === decisive) return decisive;
    const b = firstBad(l, r);
    if (b !== undefined) return b;
    if (typeof l !== 'boolean' || typeof r !== 'boolean') return new CelError(`no such overload: ${n.op}`);
    return !decisive;
  }
  const l = evaluate(n.l, vars, known);
  const r = evaluate(n.r, vars, known);
  const b = firstBad(l, r);
  if (b !== undefined) return b;
  switch (n.op) {
    case '==':
      return equal(l, r);
    case '!=':
      return !equal(l, r);
    case 'in':
      if (Array.isArray(r)) return r.some((x) => equal(l, x));
      if (isMap(r)) return typeof l === 'string' && Object.prototype.hasOwnProperty.call(r, l);
      return new CelError('no such overload: in');
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string')))
        return new CelError(`no such overload: ${n.op}`);
      return n.op === '<' ? l < r : n.op === '<=' ? l <= r : n.op === '>' ? l > r : l >= r;
    }
    case '+':
      if (typeof l === 'number' && typeof r === 'number') return l + r;
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      return new CelError('no such overload: +');
    default:
      if (typeof l !== 'number' || typeof r !== 'number') return new CelError(`no such overload: ${n.op}`);
      if ((n.op === '/' || n.op === '%') && r === 0) return new CelError('division by zero');
      return n.op === '-' ? l - r : n.op === '*' ? l * r : n.op === '/' ? Math.trunc(l / r) : l % r;
  }
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

function call(n: Extract<Node, { t: 'call' }>, vars: Record<string, Value>, known: Set<string>): Value {
  // Macros first: their arguments are not plain values.
  if (n.fn === 'has' && !n.target && n.args.length === 1) {
    const arg = n.args[0];
    if (arg.t !== 'sel') return new CelError('has() needs a field selection');
    const o = evaluate(arg.obj, vars, known);
    if (bad(o)) return o;
    return isMap(o) && Object.prototype.hasOwnProperty.call(o, arg.field) && o[arg.field] !== null;
  }
  if (n.target && ['exists', 'all', 'exists_one'].includes(n.fn) && n.args.length === 2 && n.args[0].t === 'id') {
    const range = evaluate(n.target, vars, known);
    if (bad(range)) return range;
    const items = Array.isArray(range) ? range : isMap(range) ? Object.keys(range) : undefined;
    if (!items) return new CelError(`no such overload: ${n.fn}`);
    const name = n.args[0].name;
    const inner = new Set(known).add(name);
    const results = items.map((x) => evaluate(n.args[1], { ...vars, [name]: x }, inner));
    if (n.fn === 'exists') {
      if (results.includes(true)) return true;
      return firstBad(...results) ?? false;
    }
    if (n.fn === 'all') {
      if (results.includes(false)) return false;
      return firstBad(...results) ?? true;
    }
    const b = firstBad(...results);
    return b ?? results.filter((x) => x === true).length === 1;
  }
  const target = n.target ? evaluate(n.target, vars, known) : undefined;
  const args = n.args.map((a) => evaluate(a, vars, known));
  const operands: Value[] = target === undefined ? args : [target, ...args];
  const b = firstBad(...operands);
  if (b !== undefined) return b;
  const recv = target ?? args[0];
  const arg = target === undefined ? args[1] : args[0];
  switch (n.fn) {
    case 'size':
      if (typeof recv === 'string' || Array.isArray(recv)) return recv.length;
      if (isMap(recv)) return Object.keys(recv).length;
      return new CelError('no such overload: size');
    case 'startsWith':
    case 'endsWith':
    case 'contains':
      if (typeof recv !== 'string' || typeof arg !== 'string') return new CelError(`no such overload: ${n.fn}`);
      return n.fn === 'startsWith' ? recv.startsWith(arg) : n.fn === 'endsWith' ? recv.endsWith(arg) : recv.includes(arg);
    case 'matches':
      if (typeof recv !== 'string' || typeof arg !== 'string') return new CelError('no such overload: matches');
      // The apiserver runs RE2, which is linear; JavaScript backtracks. A pattern that could backtrack
      // badly (any repeated group, or a backreference) or a long subject is left unknown.
      if (/\)\s*[+*{]|\\[1-9]/.test(arg) || recv.length > 4096 || arg.length > 512) return UNKNOWN;
      try {
        return new RegExp(arg).test(recv);
      } catch {
        return UNKNOWN;
      }
    case 'lowerAscii':
      return typeof recv === 'string' ? recv.toLowerCase() : new CelError('no such overload: lowerAscii');
    case 'string':
      return recv === null || typeof recv === 'object' ? new CelError('no such overload: string') : String(recv);
    default:
      return UNKNOWN;
  }
}

function toValue(v: unknown): Value {
  if (v === UNKNOWN) return UNKNOWN;
  if (v === undefined) return null;
  return v as Value;
}
