import { baseline } from './baseline/index.js';
import { coach } from './coach/index.js';
import { coach2 } from './coach2/index.js';
import { coach3 } from './coach3/index.js';
import { llm } from './llm/index.js';
import { analyzerId, type Analyzer } from './types.js';

// Every analyzer version that has ever scored feedback stays here: a stored row names its maker,
// and a rollback must be able to run it again. Change behaviour by adding a version, never in place.
const all: Analyzer[] = [baseline, coach, coach2, coach3, llm];

export const analyzers: ReadonlyMap<string, Analyzer> = new Map(all.map((a) => [analyzerId(a), a]));

export { DEFAULT_ANALYZER } from './defaultAnalyzer.js';

export function findAnalyzer(id: string): Analyzer | undefined {
  return analyzers.get(id);
}
