import type { AnnomiLabel } from '../annomi.js';

// The codes coach@2 learns, grouped as AnnoMI's experts gave them: an utterance carries at most
// one code of each family (a reflection may also be a question), so each family is one
// multinomial detector whose first class means "none of these" (the client's: neutral talk).

export const FAMILIES = {
  reflection: { side: 'user', classes: ['none', 'simple', 'complex'] },
  question: { side: 'user', classes: ['none', 'open', 'closed'] },
  input: { side: 'user', classes: ['none', 'information', 'advice', 'negotiation', 'options'] },
  talk: { side: 'counterpart', classes: ['neutral', 'change', 'sustain'] },
} as const;

export type Family = keyof typeof FAMILIES;
export type DetectorSide = (typeof FAMILIES)[Family]['side'];
export const FAMILY_NAMES = Object.keys(FAMILIES) as Family[];

/** The families whose detectors read one side's turns, in a fixed order. */
export function familiesOf(side: DetectorSide): Family[] {
  return FAMILY_NAMES.filter((f) => FAMILIES[f].side === side);
}

/** The expert's class index in `family` for one utterance, or null when this utterance is not of that side. */
export function goldClass(family: Family, label: AnnomiLabel | undefined): number | null {
  if (label === undefined) return null;
  const classes: readonly string[] = FAMILIES[family].classes;
  if (family === 'talk') {
    if (label.client_talk === 'n/a' || label.behaviour !== 'n/a') return null;
    const k = classes.indexOf(label.client_talk);
    return k < 0 ? 0 : k;
  }
  if (label.behaviour === 'n/a') return null;
  const code = label[family];
  if (code === null || code === undefined) return 0;
  const k = classes.indexOf(code);
  return k < 0 ? 0 : k;
}
