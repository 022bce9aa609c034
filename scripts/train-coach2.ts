import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAnnomi } from '../src/analysis/annomi.js';
import { annomiDevFile } from './annomiFile.js';
import { serializeWeights, trainDetectors } from '../src/analysis/coach2/train.js';

// `npm run train:coach2 [-- FILE]`: trains coach@2's detectors on the AnnoMI development set's
// expert codes and writes src/analysis/coach2/weights.json. Deterministic: run it twice, get the
// same file (a test checks that the committed file is what this script writes).

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? annomiDevFile();
const rows = loadAnnomi(file);
if (rows === null) {
  console.error(`train:coach2: ${file} is missing; pass the AnnoMI development set's path (or set ANNOMI_DEV)`);
  process.exit(2);
}
const started = performance.now();
const weights = trainDetectors(rows);
const out = path.join(repoRoot, 'src/analysis/coach2/weights.json');
writeFileSync(out, serializeWeights(weights));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `trained on ${rows.length} conversations (${weights.trainedOn.sources} sources, ${weights.trainedOn.turns.user} practitioner and ${weights.trainedOn.turns.counterpart} counterpart turns) in ${seconds} s; ` +
    `${weights.sides.user.features.length} + ${weights.sides.counterpart.features.length} features → ${path.relative(repoRoot, out)}`,
);
