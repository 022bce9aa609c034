import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { annomiDevPath, loadAnnomi } from '../../src/analysis/annomi.js';
import { FeatureIndex, featureNames } from '../../src/analysis/coach2/features.js';
import { serializeWeights, trainDetectors, labelledTurns } from '../../src/analysis/coach2/train.js';
import { validateCoach2 } from '../../src/analysis/coach2/validation.js';
import { SCORE_NAMES } from '../../src/analysis/evaluate.js';
import { DEFAULT_ANALYZER } from '../../src/analysis/registry.js';

// coach@2 against the AnnoMI development set (ANNOMI_DEV, or shared/data/annomi/dev.jsonl beside
// the checkout): the shipped weights are what the training script makes of it, and the figures
// of src/analysis/README.md hold. Floors sit a little under what was reached, so a regression
// fails and noise does not.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.env.ANNOMI_DEV ?? annomiDevPath(repoRoot);
const rows = loadAnnomi(file);
if (rows === null) console.warn(`coach@2 AnnoMI tests skipped: ${file} is missing (it comes with shared/data/annomi, or set ANNOMI_DEV).`);
const weightsFile = path.join(repoRoot, 'src/analysis/coach2/weights.json');

describe.skipIf(rows === null)('coach@2 on the AnnoMI development set', () => {
  const data = rows ?? [];

  it('ships exactly the weights the training script makes (npm run train:coach2)', () => {
    expect(serializeWeights(trainDetectors(data))).toBe(readFileSync(weightsFile, 'utf8'));
  });

  it('finds by number the features it was trained on by name, on every turn', () => {
    const shipped = JSON.parse(readFileSync(weightsFile, 'utf8')) as { sides: Record<'user' | 'counterpart', { features: string[] }> };
    for (const side of ['user', 'counterpart'] as const) {
      const names = shipped.sides[side].features;
      const known = new Set(names);
      const index = new FeatureIndex(names);
      for (const { turn } of labelledTurns(data)[side]) {
        const out = new Int32Array(FeatureIndex.capacity(turn.tokens));
        const n = index.extract(turn.tokens, turn.context, out);
        const byNumber = [...out.subarray(0, n)].map((id) => names[id]!).sort();
        expect(byNumber).toEqual(
          featureNames(turn.tokens, turn.context)
            .filter((f) => known.has(f))
            .sort(),
        );
      }
    }
  });

  it('holds its figures in sample and leave-one-source-out', { timeout: 900_000 }, () => {
    const v = validateCoach2(data);
    expect(v).toMatchObject({ conversations: 51, sources: 47 });
    const [coach1, coach2] = v.scores;
    // coach@1 learns nothing, so holding sources out changes nothing.
    expect(coach1!.leaveOneSourceOut.auc).toEqual(coach1!.inSample.auc);
    // Reached, leave-one-source-out: overall 0.81, communication 0.63, empathy 0.71, problem solving 0.76.
    const held = coach2!.leaveOneSourceOut.auc;
    expect(held.overallScore).toBeGreaterThanOrEqual(0.75);
    expect(held.communicationScore).toBeGreaterThanOrEqual(0.58);
    expect(held.empathyScore).toBeGreaterThanOrEqual(0.66);
    expect(held.problemSolvingScore).toBeGreaterThanOrEqual(0.71);
    // The rule for what a fresh database serves: coach@2 once it beats coach@1 held out on
    // every score, baseline@1 until then. A retraining that crosses the line fails here until the
    // default follows it.
    const beatsCoach1 = SCORE_NAMES.every((n) => held[n] > coach1!.leaveOneSourceOut.auc[n]);
    if (!beatsCoach1) expect(DEFAULT_ANALYZER).not.toBe('coach@2');
    // Reached, in sample: 0.87, 0.76, 0.71, 0.84.
    expect(coach2!.inSample.auc.overallScore).toBeGreaterThanOrEqual(0.83);
    // Codes: reached leave-one-source-out, reflections P 0.72 R 0.51, questions P 0.89 R 0.85, open R 0.71.
    const codes = v.codes.leaveOneSourceOut;
    expect(codes['reflection.any']!.precision).toBeGreaterThanOrEqual(0.67);
    expect(codes['reflection.any']!.recall).toBeGreaterThanOrEqual(0.46);
    expect(codes['question.any']!.precision).toBeGreaterThanOrEqual(0.85);
    expect(codes['question.any']!.recall).toBeGreaterThanOrEqual(0.8);
    expect(codes['question.open']!.recall).toBeGreaterThanOrEqual(0.64);
    // Held out really is held out: in sample the detectors nearly recite their training set.
    expect(v.codes.inSample['reflection.any']!.precision).toBeGreaterThan(codes['reflection.any']!.precision + 0.15);
  });
});
