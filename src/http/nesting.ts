/**
 * How deep the arrays and objects of a JSON text nest, read from the text in one pass before it is
 * parsed (brackets inside strings do not count). Cheap next to JSON.parse, and it lets a hostile
 * body be refused before any recursive code (validation, serialisation, Postgres's json) meets it.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return deepest;
}
