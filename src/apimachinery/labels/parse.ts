/**
 * @module The label selector string syntax (`a=b,c in (x,y),!d,e>1`), lexed and parsed as
 * labels.Parse does, with upstream's error texts so kubectl prints the same BadRequest.
 */
import { newBadRequest } from '../errors.js';
import { aggregate, invalidField, isQualifiedName } from './validation.js';
import { type Operator, type Requirement, type Selector, binaryOperators, requirementErrors } from './selector.js';

type Tok = 'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item { tok: Tok; lit: string }

const literalTokens: Record<string, Tok> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c) && c !== '';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Longest run of symbols that still forms an operator: "!=" and "==" win over "!" and "=".
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const tok = literalTokens[buf];
        if (tok) last = { tok, lit: buf };
        else if (last) break;
        pos++;
      }
      items.push(last!);
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) pos++;
      const lit = s.slice(start, pos);
      items.push({ tok: literalTokens[lit] ?? 'id', lit });
    }
  }
}

class ParseError extends Error {}

/** The recursive-descent parser of labels.Parse; "in"/"notin" are plain identifiers where a value is expected. */
class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  private peek(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek(true);
      if (t2.tok !== 'id' && t2.tok !== '!') throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let op: Operator | undefined;
    let { tok, lit } = this.next(true);
    if (tok === '!') {
      op = '!';
      ({ tok, lit } = this.next(true));
    }
    if (tok !== 'id') throw new ParseError(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    // The parser validates the key with a nil field path, hence upstream's "<nil>: Invalid value".
    if (keyErrs.length) throw new ParseError(invalidField('<nil>', lit, keyErrs.join('; ')));
    const key = lit;
    const la = this.peek(true).tok;
    if ((la === 'end' || la === ',') && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return this.build(key, op, []);

    const opItem = this.next(false);
    const ops: Partial<Record<Tok, Operator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const operator = ops[opItem.tok];
    if (!operator) throw new ParseError(`found '${opItem.lit}', expected: ${binaryOperators.join(', ')}`);
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return this.build(key, operator, values);
  }

  private build(key: string, op: Operator, values: string[]): Requirement {
    const errs = requirementErrors(key, op, values);
    if (errs.length) throw new ParseError(aggregate(errs));
    return { key, operator: op, values };
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === ')') {
      this.pos++;
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'id') {
        set.add(it.lit);
        const t2 = this.peek(true);
        if (t2.tok === ',') continue;
        if (t2.tok === ')') break;
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // Empty members are allowed: "(,a)", "(a,)" and "(a,,b)" all include "".
        if (set.size === 0) set.add('');
        const t2 = this.peek(true).tok;
        if (t2 === ')') { set.add(''); break; }
        if (t2 === ',') { this.pos++; set.add(''); }
      } else {
        throw new ParseError(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    this.pos++; // the ')' seen above
    return [...set].sort();
  }

  private exactValue(): string[] {
    const la = this.peek(true).tok;
    if (la === 'end' || la === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'id') return [it.lit];
    throw new ParseError(`found '${it.lit}', expected: identifier`);
  }
}

/**
 * labels.Parse. Throws StatusError BadRequest whose message is upstream's parse error,
 * e.g. `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`.
 * The result is ordered by key; "" parses to a selector that matches everything.
 */
export function parseSelector(s: string): Selector {
  let reqs: Requirement[];
  try {
    reqs = new Parser(lex(s)).parse();
  } catch (e) {
    if (e instanceof ParseError) throw newBadRequest(e.message);
    throw e;
  }
  // Stable sort by key, as upstream's sort.Sort(ByKey) orders them.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements: reqs };
}
