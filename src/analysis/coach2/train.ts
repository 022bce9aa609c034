import type { AnnomiRow } from '../annomi.js';
import { FAMILIES, familiesOf, goldClass, type DetectorSide, type Family } from './codes.js';
import { FeatureIndex, featureNames } from './features.js';
import { minimize } from './lbfgs.js';
import type { DetectorWeights, FamilyWeights, SideWeights } from './model.js';
import { walk, type WalkedTurn } from './walk.js';

// Trains coach@2's detectors from the experts' codes: for each family, a multinomial logistic
// regression with an L2 penalty, fitted to convergence by L-BFGS. Everything is deterministic
// (a sorted vocabulary, a fixed order of sums, no random starts), so the same rows give the
// same weights, byte for byte: `npm run train:coach2` writes them, a test trains again and
// compares. Cross-validation calls the same function on the training folds only.

export interface TrainingSettings {
  /** A feature must occur in at least this many training turns of its side. */
  minCount: number;
  /** Strength of the L2 penalty on the weights (the biases go free). */
  l2: number;
  maxIterations: number;
  gradientTolerance: number;
  /** Weights are stored rounded to this many decimals; features left with none are dropped. */
  decimals: number;
}

export const TRAINING: TrainingSettings = { minCount: 3, l2: 2, maxIterations: 400, gradientTolerance: 1e-4, decimals: 2 };

export interface LabelledTurn {
  turn: WalkedTurn;
  /** The expert's class per family of the turn's side. */
  gold: Partial<Record<Family, number>>;
}

/** Every coded turn of the rows, by side, walked as the analyzer walks them. */
export function labelledTurns(rows: readonly AnnomiRow[]): Record<DetectorSide, LabelledTurn[]> {
  const out: Record<DetectorSide, LabelledTurn[]> = { user: [], counterpart: [] };
  for (const row of rows) {
    for (const turn of walk(row.transcript)) {
      if (turn.side === 'other') continue;
      const label = row.labels[turn.index];
      const gold: Partial<Record<Family, number>> = {};
      let coded = false;
      for (const family of familiesOf(turn.side)) {
        const k = goldClass(family, label);
        if (k !== null) {
          gold[family] = k;
          coded = true;
        }
      }
      if (coded) out[turn.side].push({ turn, gold });
    }
  }
  return out;
}

/** Turns as rows of feature ids (compressed sparse rows). */
interface SparseRows {
  offsets: Int32Array;
  ids: Int32Array;
}

function sparseRows(turns: readonly LabelledTurn[], index: FeatureIndex): SparseRows {
  const offsets = new Int32Array(turns.length + 1);
  const chunks: Int32Array[] = [];
  let total = 0;
  turns.forEach(({ turn }, i) => {
    const buffer = new Int32Array(FeatureIndex.capacity(turn.tokens));
    const n = index.extract(turn.tokens, turn.context, buffer);
    // Sorted ids make every sum below run in one fixed order.
    const ids = buffer.slice(0, n).sort();
    chunks.push(ids);
    total += n;
    offsets[i + 1] = total;
  });
  const ids = new Int32Array(total);
  chunks.forEach((c, i) => ids.set(c, offsets[i]));
  return { offsets, ids };
}

/**
 * Penalised negative log-likelihood of a multinomial model with class 0 fixed at score 0.
 * Parameters: weights feature-major (F × (K-1)), then the K-1 biases.
 */
function softmaxObjective(rows: SparseRows, gold: Uint8Array, features: number, classes: number, l2: number) {
  const width = classes - 1;
  const biasAt = features * width;
  const logits = new Float64Array(width);
  const p = new Float64Array(width);
  return (x: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < gold.length; r++) {
      const from = rows.offsets[r]!;
      const to = rows.offsets[r + 1]!;
      for (let k = 0; k < width; k++) logits[k] = x[biasAt + k]!;
      for (let i = from; i < to; i++) {
        const base = rows.ids[i]! * width;
        for (let k = 0; k < width; k++) logits[k]! += x[base + k]!;
      }
      let top = 0;
      for (let k = 0; k < width; k++) top = Math.max(top, logits[k]!);
      let sum = Math.exp(-top);
      for (let k = 0; k < width; k++) sum += Math.exp(logits[k]! - top);
      const logSum = top + Math.log(sum);
      const y = gold[r]!;
      loss += logSum - (y === 0 ? 0 : logits[y - 1]!);
      for (let k = 0; k < width; k++) p[k] = Math.exp(logits[k]! - logSum) - (y === k + 1 ? 1 : 0);
      for (let k = 0; k < width; k++) grad[biasAt + k]! += p[k]!;
      for (let i = from; i < to; i++) {
        const base = rows.ids[i]! * width;
        for (let k = 0; k < width; k++) grad[base + k]! += p[k]!;
      }
    }
    for (let i = 0; i < biasAt; i++) {
      loss += 0.5 * l2 * x[i]! * x[i]!;
      grad[i]! += l2 * x[i]!;
    }
    return loss;
  };
}

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no -0 in the file
}

/**
 * Feature names seen in at least `minCount` turns, the most frequent first (ties by name): the
 * weights of the features nearly every turn has then sit together in memory, which keeps them
 * in the processor's cache at run time.
 */
function vocabulary(turns: readonly LabelledTurn[], minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const { turn } of turns) for (const name of featureNames(turn.tokens, turn.context)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name]) => name);
}

function trainSide(side: DetectorSide, turns: readonly LabelledTurn[], settings: TrainingSettings): SideWeights {
  const names = vocabulary(turns, settings.minCount);
  const index = new FeatureIndex(names);
  const F = names.length;
  const fitted = new Map<Family, { bias: number[]; weights: Float64Array; width: number }>();
  for (const family of familiesOf(side)) {
    const labelled = turns.filter((t) => t.gold[family] !== undefined);
    const rows = sparseRows(labelled, index);
    const gold = Uint8Array.from(labelled, (t) => t.gold[family]!);
    const K = FAMILIES[family].classes.length;
    const width = K - 1;
    const objective = softmaxObjective(rows, gold, F, K, settings.l2);
    const { x } = minimize(objective, new Float64Array(F * width + width), settings);
    const bias = Array.from(x.subarray(F * width), (v) => roundTo(v, settings.decimals));
    const weights = x.subarray(0, F * width).map((v) => roundTo(v, settings.decimals));
    fitted.set(family, { bias, weights, width });
  }
  // Features whose every weight rounds to zero change no score: leave them out of the file.
  const keep: number[] = [];
  for (let f = 0; f < F; f++) {
    let any = false;
    for (const { weights, width } of fitted.values()) for (let k = 0; k < width && !any; k++) any = weights[f * width + k] !== 0;
    if (any) keep.push(f);
  }
  const families: Partial<Record<Family, FamilyWeights>> = {};
  for (const [family, { bias, weights, width }] of fitted) {
    families[family] = { bias, weights: keep.flatMap((f) => Array.from(weights.subarray(f * width, (f + 1) * width))) };
  }
  return { features: keep.map((f) => names[f]!), families };
}

export function trainDetectors(rows: readonly AnnomiRow[], settings: TrainingSettings = TRAINING): DetectorWeights {
  const turns = labelledTurns(rows);
  return {
    format: 'coach2-detectors/1',
    trainedOn: {
      conversations: rows.length,
      sources: new Set(rows.map((r) => r.source)).size,
      turns: { user: turns.user.length, counterpart: turns.counterpart.length },
    },
    settings: { ...settings },
    sides: { user: trainSide('user', turns.user, settings), counterpart: trainSide('counterpart', turns.counterpart, settings) },
  };
}

/**
 * The weights file's text: one line per array, so a retrain shows in a diff as the lines that
 * changed, and the same weights always give the same bytes.
 */
export function serializeWeights(weights: DetectorWeights): string {
  const lines = [
    '{',
    `  "format": ${JSON.stringify(weights.format)},`,
    `  "trainedOn": ${JSON.stringify(weights.trainedOn)},`,
    `  "settings": ${JSON.stringify(weights.settings)},`,
    '  "sides": {',
  ];
  const sides = Object.entries(weights.sides);
  sides.forEach(([side, s], i) => {
    lines.push(`    ${JSON.stringify(side)}: {`, `      "features": ${JSON.stringify(s.features)},`, '      "families": {');
    const families = Object.entries(s.families);
    families.forEach(([family, f], j) => {
      lines.push(
        `        ${JSON.stringify(family)}: {`,
        `          "bias": ${JSON.stringify(f.bias)},`,
        `          "weights": ${JSON.stringify(f.weights)}`,
        `        }${j < families.length - 1 ? ',' : ''}`,
      );
    });
    lines.push('      }', `    }${i < sides.length - 1 ? ',' : ''}`);
  });
  lines.push('  }', '}', '');
  return lines.join('\n');
}
