import type { AnnomiRow } from '../annomi.js';

// Near-duplicate sessions across folds would let a model recognise a conversation it was trained
// on under another source id. Two checks, on text normalised to lower-case words: how much of one
// conversation's word 4-grams another holds (containment: shared ÷ the smaller set, 1 for a copy),
// for every pair from different sources; and how many practitioner utterances of six words or more
// are said word for word in another source.

const SHINGLE = 4;
const LONG_UTTERANCE = 6;

function wordsOf(text: unknown): string[] {
  return (typeof text === 'string' ? text : '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

function shingles(row: AnnomiRow): Set<string> {
  const out = new Set<string>();
  for (const turn of row.transcript) {
    const w = wordsOf(turn.content);
    for (let i = 0; i + SHINGLE <= w.length; i++) out.add(w.slice(i, i + SHINGLE).join(' '));
  }
  return out;
}

export interface DuplicateReport {
  /** The most contained pair of conversations from different sources. */
  closest: { a: string; b: string; containment: number };
  /** Pairs from different sources sharing at least half their 4-grams. */
  pairsOverHalf: number;
  /** Practitioner utterances of six words or more, and those said word for word in another source. */
  longUtterances: number;
  repeatedAcrossSources: number;
}

export function nearDuplicates(rows: readonly AnnomiRow[]): DuplicateReport {
  const sets = rows.map(shingles);
  let closest = { a: '', b: '', containment: 0 };
  let pairsOverHalf = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      if (rows[i]!.source === rows[j]!.source) continue;
      const [small, large] = sets[i]!.size <= sets[j]!.size ? [sets[i]!, sets[j]!] : [sets[j]!, sets[i]!];
      let shared = 0;
      for (const s of small) if (large.has(s)) shared++;
      const containment = small.size === 0 ? 0 : shared / small.size;
      if (containment >= 0.5) pairsOverHalf++;
      if (containment > closest.containment) closest = { a: rows[i]!.id, b: rows[j]!.id, containment };
    }
  }
  const sourcesSaying = new Map<string, Set<string>>();
  const long: { text: string; source: string }[] = [];
  for (const row of rows) {
    for (const turn of row.transcript) {
      if (turn.role !== 'user') continue;
      const w = wordsOf(turn.content);
      if (w.length < LONG_UTTERANCE) continue;
      const text = w.join(' ');
      long.push({ text, source: row.source });
      sourcesSaying.set(text, (sourcesSaying.get(text) ?? new Set()).add(row.source));
    }
  }
  return { closest, pairsOverHalf, longUtterances: long.length, repeatedAcrossSources: long.filter((u) => sourcesSaying.get(u.text)!.size > 1).length };
}
