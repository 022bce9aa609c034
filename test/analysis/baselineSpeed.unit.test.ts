import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWords, countWordsWithRegex } from '../../src/analysis/baseline/index.js';

// baseline@1's output must never change; its faster word count must equal the original regex.
describe('baseline@1 word count', () => {
  it('counts like the reference regex on any text', () => {
    const tricky = fc.string({ unit: fc.constantFrom(..."aZ09 '’-.?!\n".split(''), "don't", "9'", "'s", 'é', '😀', '中') });
    for (const arb of [tricky, fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' })]) {
      fc.assert(
        fc.property(arb, (s) => {
          expect(countWords(s)).toBe(countWordsWithRegex(s));
        }),
        { numRuns: 1500 },
      );
    }
  });

  it('counts contractions as one word, digits after an apostrophe as another', () => {
    expect(countWords("don't stop")).toBe(2);
    expect(countWords("don't9")).toBe(2);
    expect(countWords("the 90's")).toBe(2); // "90's" is one word, as the regex has it
  });
});
