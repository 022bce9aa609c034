import { pathToFileURL } from 'node:url';
import { loadAnnomi } from '../src/analysis/annomi.js';
import { annomiDevFile } from '../scripts/annomiFile.js';
import { analyzers } from '../src/analysis/registry.js';
import { analyzerId, type Analyzer, type Turn } from '../src/analysis/types.js';

// Analyzer throughput on one core. Method: build one fixed 30-turn transcript of about 400
// words (seeded, so every run measures the same text), warm the analyzer up, then time batches
// of analyses for about a second each, five times, and report the median rate. Words/s runs
// every AnnoMI development conversation through the analyzer the same way.

export interface AnalyzerFigures {
  analyzer: string;
  analysesPerSecond: number;
  /** Words per second over the AnnoMI development set, null without shared/data. */
  annomiWordsPerSecond: number | null;
}

export interface AnalyzerBench {
  method: string;
  transcript: { turns: number; words: number };
  annomi: { conversations: number; words: number } | null;
  results: AnalyzerFigures[];
}

const LINES = [
  'It sounds like the deadlines have been weighing on you for a while now.',
  'What would make the biggest difference for you this month?',
  'Honestly I am tired, the project keeps me at work until nine most nights and my family barely sees me.',
  'Do you think your manager knows how much you are carrying?',
  'I want to talk to her, but I am worried she will think I cannot cope with the job.',
  'So you care about doing good work and you also want time at home.',
  'You should probably block your mornings for focused work.',
  'Maybe. I guess I could try it next week and see what happens with the meetings.',
  'Tell me more about what a good week would look like.',
  'Um, fewer meetings, uh, and one evening a week where I leave on time.',
];

/** A seeded generator (mulberry32) so the bench text is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function benchTranscript(turns = 30, words = 400): Turn[] {
  const next = random(42);
  const out: Turn[] = [];
  for (let i = 0; i < turns; i++) {
    // Spread the words so the turns add up to exactly `words`.
    const want = Math.round(((i + 1) * words) / turns) - Math.round((i * words) / turns);
    let content = '';
    while (content.split(' ').length < want) content += `${content ? ' ' : ''}${LINES[Math.floor(next() * LINES.length)]}`;
    const cut = content.split(' ').slice(0, want).join(' ');
    out.push({ role: i % 2 === 0 ? 'assistant' : 'user', content: cut, timestamp: 1_700_000_000 + i * 9 });
  }
  return out;
}

function countWords(transcript: readonly Turn[]): number {
  return transcript.reduce((n, t) => n + (typeof t.content === 'string' ? t.content.split(/\s+/).filter(Boolean).length : 0), 0);
}

/** Runs `work` in batches for about `ms`, answers the median rate of units per second over `rounds`. */
function rate(work: () => number, ms: number, rounds: number): number {
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let units = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      units += work();
      elapsed = performance.now() - start;
    }
    rates.push((units * 1000) / elapsed);
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1]!;
}

let sink = 0;

export function runAnalyzerBench(options: { ms?: number; rounds?: number; list?: readonly Analyzer[] } = {}): AnalyzerBench {
  const ms = options.ms ?? 1000;
  const rounds = options.rounds ?? 5;
  // Analyzers that score recorded answers (llm@1) would only time "not answered yet" here.
  const list = options.list ?? [...analyzers.values()].filter((a) => a.pending === undefined);
  const transcript = benchTranscript();
  const annomi = loadAnnomi(annomiDevFile());
  const annomiWords = annomi?.reduce((n, r) => n + countWords(r.transcript), 0) ?? 0;

  const results = list.map((analyzer) => {
    const once = () => {
      for (let i = 0; i < 100; i++) sink += analyzer.analyze({ transcript }).score;
      return 100;
    };
    for (let i = 0; i < 20; i++) once(); // warm up: let the JIT settle before timing
    const analysesPerSecond = rate(once, ms, rounds);
    let annomiWordsPerSecond: number | null = null;
    if (annomi !== null) {
      const all = () => {
        for (const r of annomi) sink += analyzer.analyze({ transcript: r.transcript }).score;
        return annomiWords;
      };
      all();
      annomiWordsPerSecond = rate(all, ms, rounds);
    }
    return {
      analyzer: analyzerId(analyzer),
      analysesPerSecond: Math.round(analysesPerSecond),
      annomiWordsPerSecond: annomiWordsPerSecond === null ? null : Math.round(annomiWordsPerSecond),
    };
  });

  return {
    method: `one thread; ${rounds} rounds of ~${ms} ms after warm-up, median rate; transcript of ${transcript.length} turns (seeded), AnnoMI dev set analysed whole per batch`,
    transcript: { turns: transcript.length, words: countWords(transcript) },
    annomi: annomi === null ? null : { conversations: annomi.length, words: annomiWords },
    results,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bench = runAnalyzerBench();
  console.log(`Method: ${bench.method}`);
  console.log(`Generated transcript: ${bench.transcript.turns} turns, ${bench.transcript.words} words`);
  if (bench.annomi) console.log(`AnnoMI dev: ${bench.annomi.conversations} conversations, ${bench.annomi.words} words`);
  else console.log('AnnoMI dev set missing: words/s not measured');
  for (const r of bench.results) {
    const words = r.annomiWordsPerSecond === null ? '' : `, ${r.annomiWordsPerSecond.toLocaleString('en-US')} words/s on AnnoMI`;
    console.log(`${r.analyzer.padEnd(12)} ${r.analysesPerSecond.toLocaleString('en-US')} analyses/s${words}`);
  }
  if (sink === Number.MIN_VALUE) console.log(''); // keeps the results observable to the optimiser
}
