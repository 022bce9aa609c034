import { describe, expect, it } from 'vitest';
import { annomiRowsFor } from '../support/annomi.js';
import { coach } from '../../src/analysis/coach/index.js';
import { countMitiAgreement } from '../../src/analysis/coach3/agreement.js';
import { coach3 } from '../../src/analysis/coach3/index.js';
import { codeFigures } from '../../src/analysis/validation/figures.js';

// coach@3 on the AnnoMI development set (ANNOMI_DEV, or shared/data/annomi/dev.jsonl beside the
// checkout): its scores are coach@1's on every conversation, and its utterance codes agree with the
// experts' as src/analysis/README.md reports (floors a little under what was reached).

const rows = annomiRowsFor('coach@3 AnnoMI tests');

describe.skipIf(rows === null)('coach@3 on the AnnoMI development set', () => {
  const data = rows ?? [];

  it('scores every conversation exactly as coach@1, whose figures it keeps', () => {
    for (const r of data) expect(coach3.analyze({ transcript: r.transcript }).score).toBe(coach.analyze({ transcript: r.transcript }).score);
  });

  it('codes questions and reflections per utterance as measured', () => {
    const f = codeFigures(countMitiAgreement(data));
    // Reached: questions P 0.91 R 0.88, open P 0.76 R 0.79, reflections P 0.63 R 0.76, complex P 0.36 R 0.52.
    expect(f['question.any']).toMatchObject({ labelled: 735 });
    expect(f['question.any']!.precision).toBeGreaterThanOrEqual(0.87);
    expect(f['question.any']!.recall).toBeGreaterThanOrEqual(0.84);
    expect(f['question.open']!.recall).toBeGreaterThanOrEqual(0.74);
    expect(f['reflection.any']!.precision).toBeGreaterThanOrEqual(0.58);
    expect(f['reflection.any']!.recall).toBeGreaterThanOrEqual(0.71);
    expect(f['reflection.complex']!.recall).toBeGreaterThanOrEqual(0.47);
  });
});
