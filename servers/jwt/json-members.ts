/**
 * Whether a JSON text has an object with the same member name twice, at any depth. JSON.parse keeps the last, other
 * parsers the first (RFC 8259 §4 leaves it open; RFC 7515 §4 and RFC 7519 §4 say a JOSE header or claims set with
 * duplicate names must be rejected or parsed as the last): a gateway that reads the first `sub` and a server that
 * reads the last would see two different tokens under one signature. Names are compared decoded ("a" and "\u0061" are
 * one name). The text is assumed valid JSON (the JWT library parses it as well); one pass, no allocation but the
 * names' set per object.
 */
export function hasDuplicateMembers(json: string): boolean {
  /** One entry per open container: the names seen so far for an object, null for an array. */
  const stack: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < json.length && json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c /* \ */ ? ((escaped = true), 2) : 1;
      const names = stack[stack.length - 1];
      if (expectName && names !== undefined && names !== null) {
        const literal = json.slice(i, j + 1);
        const name = escaped ? (JSON.parse(literal) as string) : literal.slice(1, -1);
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectName = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      expectName = top !== undefined && top !== null;
    }
  }
  return false;
}
