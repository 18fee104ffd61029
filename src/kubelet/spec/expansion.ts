/**
 * @module $(VAR) expansion in env values, command and args, byte for byte as Kubernetes'
 * third_party/forked/golang/expansion: `$$` escapes, an unknown or unclosed reference stays as written.
 */

export type Mapping = (name: string) => string;

/** Looks a name up in each context in turn; an unknown name expands to itself, `$(NAME)`. */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const vars of contexts) {
      const v = vars.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    if (next === '$') {
      out += '$';
      cursor += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close < 0) {
        // Unclosed: keep "$(" and carry on scanning after it.
        out += '$(';
        cursor += 1;
      } else {
        out += mapping(input.slice(cursor + 2, close));
        cursor = close;
      }
    } else {
      out += `$${next}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
