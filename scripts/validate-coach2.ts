import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { annomiDevPath, loadAnnomi } from '../src/analysis/annomi.js';
import { codeNames } from '../src/analysis/coach2/agreement.js';
import { validateCoach2 } from '../src/analysis/coach2/validation.js';
import { SCORE_NAMES } from '../src/analysis/evaluate.js';

// `npm run validate:coach2 [-- FILE] [--json]`: the figures of src/analysis/README.md, from
// scratch: AUC per score in sample and leave-one-source-out for coach@1 and coach@2, and
// precision and recall per code, both ways. About a minute: it trains once per source.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const file = args.find((a) => !a.startsWith('--')) ?? process.env.ANNOMI_DEV ?? annomiDevPath(repoRoot);
const rows = loadAnnomi(file);
if (rows === null) {
  console.error(`validate:coach2: ${file} is missing; pass the AnnoMI development set's path (or set ANNOMI_DEV)`);
  process.exit(2);
}

const v = validateCoach2(rows, undefined, (done, total) => process.stderr.write(`\rleave-one-source-out: ${done}/${total} sources`));
process.stderr.write('\n');
if (asJson) {
  console.log(JSON.stringify(v, null, 2));
} else {
  const f = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(2));
  const e0 = v.scores[0]!.inSample;
  console.log(`${v.conversations} conversations (${e0.high} high, ${e0.low} low quality) from ${v.sources} sources\n`);
  console.log(
    `| score | ${v.scores.map((s) => `${s.analyzer} in sample | ${s.analyzer} leave-one-source-out`).join(' | ')} | coach@2 scores from the experts' codes |`,
  );
  console.log(`|---|${v.scores.map(() => '---|---').join('|')}|---|`);
  for (const name of SCORE_NAMES) {
    console.log(
      `| ${name} | ${v.scores.map((s) => `${f(s.inSample.auc[name])} | ${f(s.leaveOneSourceOut.auc[name])}`).join(' | ')} | ${f(v.expertCodes[name])} |`,
    );
  }
  console.log("\n| measure, per conversation | correlation with the experts' | mean absolute difference | conversations |");
  console.log('|---|---|---|---|');
  for (const [name, m] of Object.entries(v.measures)) console.log(`| ${name} | ${f(m.correlation)} | ${f(m.meanAbsoluteError)} | ${m.conversations} |`);
  console.log('\n| code | labelled | precision in sample | recall in sample | precision leave-one-source-out | recall leave-one-source-out |');
  console.log('|---|---|---|---|---|---|');
  for (const code of codeNames()) {
    const a = v.codes.inSample[code]!;
    const b = v.codes.leaveOneSourceOut[code]!;
    console.log(`| ${code} | ${a.labelled} | ${f(a.precision)} | ${f(a.recall)} | ${f(b.precision)} | ${f(b.recall)} |`);
  }
}
