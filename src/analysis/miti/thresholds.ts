// The competency thresholds of the MITI coding manuals (Moyers, Manuel & Ernst, MITI 4.2.1, 2014;
// Moyers et al., MITI 3.1.1, 2010), as published: facts about how MI coders judge practice, not
// figures fitted to any data here. Each is a measure's "fair" (basic competence) and "good"
// (proficiency) level and, for scoring, the natural floor where it is worth nothing. Analyzers
// that read MITI measures take their thresholds from here.

export interface Anchor {
  /** Where the component is 0, 0.5 and 1; `floor` above `good` for a measure that should stay low. */
  floor: number;
  fair: number;
  good: number;
  source: string;
}

export const MITI_THRESHOLDS = {
  reflectionToQuestionRatio: { floor: 0, fair: 1, good: 2, source: 'MITI 4.2.1: R:Q 1:1 fair, 2:1 good' },
  complexReflectionShare: { floor: 0, fair: 0.4, good: 0.5, source: 'MITI 4.2.1: %CR 40% fair, 50% good' },
  openQuestionShare: { floor: 0, fair: 0.5, good: 0.7, source: 'MITI 3.1.1: %OQ 50% fair, 70% good' },
  miAdherence: { floor: 0, fair: 0.9, good: 1, source: 'MITI 3.1.1: %MI-adherent 90% fair, 100% good' },
} as const satisfies Record<string, Anchor>;

export type MitiLevel = 'good' | 'fair' | 'below fair';

/** Which side of the manual's thresholds a measure falls on; null when it could not be taken. */
export function levelOf(value: number | null, a: Anchor): MitiLevel | null {
  if (value === null || !Number.isFinite(value)) return null;
  const up = a.good > a.floor;
  const reached = (t: number) => (up ? value >= t : value <= t);
  return reached(a.good) ? 'good' : reached(a.fair) ? 'fair' : 'below fair';
}
