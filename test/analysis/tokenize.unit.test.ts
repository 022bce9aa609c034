import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteSentence, tokenize, tokenizeWithRegex } from '../../src/analysis/coach/tokenize.js';

describe('tokenize', () => {
  it('splits words, sentences and clauses, lower-cased, apostrophes kept inside words', () => {
    const t = tokenize("So, you're saying it's HARD? I see. Pay 3.5 dollars -- or not");
    expect(t.words).toEqual(['so', "you're", 'saying', "it's", 'hard', 'i', 'see', 'pay', '3', '5', 'dollars', 'or', 'not']);
    expect(t.sentences.map((s) => [s.start, s.end, s.question])).toEqual([
      [0, 5, true],
      [5, 7, false],
      [7, 13, false],
    ]);
    expect(t.clauses).toEqual([1, 11]);
  });

  it('counts each CJK character as a word and reads curly apostrophes as straight', () => {
    expect(tokenize('我喜欢猫。').words).toEqual(['我', '喜', '欢', '猫']);
    expect(tokenize('You’re right').words).toEqual(["you're", 'right']);
  });

  it('quotes the whole sentence, joining a short one to the next', () => {
    const t = tokenize('Okay. So the meetings eat the time you need for the real work. Right?');
    expect(quoteSentence(t, 0)).toBe('Okay. So the meetings eat the time you need for the real work.');
    expect(quoteSentence(tokenize('word '.repeat(100)), 3).length).toBeLessThanOrEqual(181);
  });

  it('gives the same tokens on the ASCII fast path as the general regex', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'aZ09 \'.,!?;:-"()\n\t'.split(''), 'you', "'re", '--', '...', '3.5') });
    fc.assert(
      fc.property(ascii, (s) => {
        expect(tokenize(s)).toEqual(tokenizeWithRegex(s));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (s) => {
        expect(tokenize(s)).toEqual(tokenizeWithRegex(s));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cue phrases', () => {
  it('are written as the tokenizer reads them, so matching by plain split is exact', async () => {
    const lexicon = await import('../../src/analysis/coach/lexicon.js');
    for (const list of Object.values(lexicon)) {
      if (!Array.isArray(list)) continue;
      for (const phrase of list) expect(tokenize(phrase).words).toEqual(phrase.split(' '));
    }
  });
});

describe('word memo', () => {
  it('resets when full without changing any result', async () => {
    const { describe: describeWord } = await import('../../src/analysis/coach/vocabulary.js');
    const text = "So you're worried about the zqxfirst deadline? It sounds like zqxsecond matters to you.";
    const before = tokenize(text);
    // Far more new words than the memo keeps (100,000), forcing at least one reset.
    const flood = Array.from({ length: 120_000 }, (_, i) => `w${i.toString(36)}x`).join(' ');
    expect(tokenize(flood).words).toHaveLength(120_000);
    const after = tokenize(text);
    expect(after).toEqual(before);
    expect(describeWord('worried')).toEqual(before.infos[2]);
  });
});
