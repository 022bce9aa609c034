import { findAnalyzer } from '../../src/analysis/registry.js';
import type { Analyzer } from '../../src/analysis/types.js';

/** A trivially checkable analyzer: its score is the number of turns, so a row shows who made it. */
export function countingAnalyzer(version: number, offset = 0): Analyzer {
  return {
    name: 'turns',
    version,
    description: 'test analyzer: score = turns + offset',
    analyze({ transcript }) {
      const score = Math.min(100, transcript.length + offset);
      return {
        score,
        analysis: {
          strengths: [],
          areasForImprovement: [],
          keyInsights: [`${transcript.length} turns`],
          communicationScore: score,
          empathyScore: score,
          problemSolvingScore: score,
          overallScore: score,
        },
      };
    },
  };
}

export const turns1 = countingAnalyzer(1);
export const turns2 = countingAnalyzer(2, 50);

export function lookupWithTestAnalyzers(id: string): Analyzer | undefined {
  return id === 'turns@1' ? turns1 : id === 'turns@2' ? turns2 : findAnalyzer(id);
}
