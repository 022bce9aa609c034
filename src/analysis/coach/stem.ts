// Reflections reuse the other person's words, often in another form ("drinking" for "drink",
// "worried" for "worry"). A crude suffix strip is enough to match those forms, costs nothing,
// and is the same for every language the tokenizer meets (other scripts pass through intact).

export function stem(word: string): string {
  let w = word.endsWith("'s") ? word.slice(0, -2) : word;
  const n = w.length;
  if (n > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (n > 4 && w.endsWith('ied')) w = `${w.slice(0, -3)}y`;
  else if (n > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (n > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (n > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  else if (n > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}
