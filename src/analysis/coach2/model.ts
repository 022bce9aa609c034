import type { Tokens } from '../coach/tokenize.js';
import { FAMILIES, familiesOf, type DetectorSide, type Family } from './codes.js';
import { FeatureIndex, type TurnContext } from './features.js';

// The detectors as shipped (`weights.json`, written by `npm run train:coach2`) and as run. Each
// family is a multinomial logistic regression: class 0 ("none") scores 0, class k scores
// bias[k-1] + the sum of its weights over the turn's features, and the highest score wins.
// Weights are stored feature by feature: `weights[f * (K-1) + (k-1)]`.

export interface FamilyWeights {
  bias: number[];
  weights: number[];
}

export interface SideWeights {
  features: string[];
  families: Partial<Record<Family, FamilyWeights>>;
}

export interface DetectorWeights {
  format: 'coach2-detectors/1';
  trainedOn: { conversations: number; sources: number; turns: Record<DetectorSide, number> };
  settings: Record<string, number>;
  sides: Record<DetectorSide, SideWeights>;
}

/** One side's families, compiled: one weight row per feature covering every family. */
class SideModel {
  readonly families: Family[];
  private readonly index: FeatureIndex;
  /** Column where each family's classes 1..K-1 start, and their counts. */
  private readonly offsets: number[] = [];
  private readonly widths: number[] = [];
  private readonly columns: number;
  private readonly rows: Float64Array;
  private readonly bias: Float64Array;
  private ids = new Int32Array(256);
  private sentences = new Int32Array(256);
  private readonly logits: Float64Array;
  private bySentence = new Float64Array(16);

  constructor(side: DetectorSide, weights: SideWeights) {
    this.families = familiesOf(side);
    this.index = new FeatureIndex(weights.features);
    let columns = 0;
    for (const f of this.families) {
      this.offsets.push(columns);
      const width = FAMILIES[f].classes.length - 1;
      this.widths.push(width);
      columns += width;
    }
    this.columns = columns;
    this.probabilityCount = columns + this.families.length;
    this.rows = new Float64Array(this.index.size * columns);
    this.bias = new Float64Array(columns);
    this.logits = new Float64Array(columns);
    this.families.forEach((family, j) => {
      const w = weights.families[family];
      const width = this.widths[j]!;
      if (w === undefined || w.bias.length !== width || w.weights.length !== width * this.index.size) {
        throw new Error(`coach2 weights: ${side} family ${family} is missing or has the wrong shape`);
      }
      for (let k = 0; k < width; k++) this.bias[this.offsets[j]! + k] = w.bias[k]!;
      for (let f = 0; f < this.index.size; f++) {
        for (let k = 0; k < width; k++) this.rows[f * columns + this.offsets[j]! + k] = w.weights[f * width + k]!;
      }
    });
  }

  /** The turn's features into `ids`, and with `bySentence` where each came from into `sentences`. */
  private features(tokens: Tokens, context: TurnContext, bySentence: boolean): number {
    const need = FeatureIndex.capacity(tokens);
    if (need > this.ids.length) {
      this.ids = new Int32Array(need * 2);
      this.sentences = new Int32Array(need * 2);
    }
    return this.index.extract(tokens, context, this.ids, bySentence ? this.sentences : undefined);
  }

  /**
   * logits = bias + the weight rows of the turn's features. The practitioner's side has 8
   * columns and the counterpart's 2 (codes.ts), so those two widths get loops that keep the sums
   * in local variables: V8 then adds in registers instead of storing to the array after every
   * addition, three times as fast. Any other width takes the plain loop.
   */
  private accumulate(n: number): void {
    const rows = this.rows;
    const ids = this.ids;
    const logits = this.logits;
    const bias = this.bias;
    if (this.columns === 8) {
      let a0 = bias[0]!,
        a1 = bias[1]!,
        a2 = bias[2]!,
        a3 = bias[3]!,
        a4 = bias[4]!,
        a5 = bias[5]!,
        a6 = bias[6]!,
        a7 = bias[7]!;
      for (let i = 0; i < n; i++) {
        const b = ids[i]! * 8;
        a0 += rows[b]!;
        a1 += rows[b + 1]!;
        a2 += rows[b + 2]!;
        a3 += rows[b + 3]!;
        a4 += rows[b + 4]!;
        a5 += rows[b + 5]!;
        a6 += rows[b + 6]!;
        a7 += rows[b + 7]!;
      }
      logits[0] = a0;
      logits[1] = a1;
      logits[2] = a2;
      logits[3] = a3;
      logits[4] = a4;
      logits[5] = a5;
      logits[6] = a6;
      logits[7] = a7;
    } else if (this.columns === 2) {
      let a0 = bias[0]!,
        a1 = bias[1]!;
      for (let i = 0; i < n; i++) {
        const b = ids[i]! * 2;
        a0 += rows[b]!;
        a1 += rows[b + 1]!;
      }
      logits[0] = a0;
      logits[1] = a1;
    } else {
      const C = this.columns;
      logits.set(bias);
      for (let i = 0; i < n; i++) {
        const base = ids[i]! * C;
        for (let c = 0; c < C; c++) logits[c]! += rows[base + c]!;
      }
    }
  }

  /** Probabilities of every class of every family, family after family (see `probabilityAt`). */
  readonly probabilityCount: number;

  /** Writes the turn's class probabilities into `out` (`probabilityCount` long). */
  detect(tokens: Tokens, context: TurnContext, out: Float64Array): void {
    const n = this.features(tokens, context, false);
    this.accumulate(n);
    const logits = this.logits;
    for (let j = 0; j < this.families.length; j++) {
      const o = this.offsets[j]!;
      const width = this.widths[j]!;
      // Softmax with "none" at 0. Logits past ±700 would overflow exp; only then is the largest
      // subtracted first (it costs one more exp per family on every turn otherwise).
      let top = 0;
      for (let k = 0; k < width; k++) if (logits[o + k]! > top) top = logits[o + k]!;
      if (top < 500) top = 0;
      const at = o + j;
      let sum = (out[at] = top === 0 ? 1 : Math.exp(-top));
      for (let k = 0; k < width; k++) sum += out[at + k + 1] = Math.exp(logits[o + k]! - top);
      for (let k = 0; k <= width; k++) out[at + k]! /= sum;
    }
  }

  /**
   * The sentence of the turn that speaks most for `cls` of `family`: the one whose features add
   * the most to that class's score. Used to pick the quote that backs a finding.
   */
  strongestSentence(tokens: Tokens, context: TurnContext, family: Family, cls: number): number {
    const j = this.families.indexOf(family);
    // One sentence (most turns) needs no weighing.
    if (j < 0 || cls < 1 || tokens.sentences.length <= 1) return 0;
    const n = this.features(tokens, context, true);
    const column = this.offsets[j]! + cls - 1;
    if (this.bySentence.length < tokens.sentences.length) this.bySentence = new Float64Array(2 * tokens.sentences.length);
    const bySentence = this.bySentence.fill(0, 0, tokens.sentences.length);
    for (let i = 0; i < n; i++) {
      const s = this.sentences[i]!;
      if (s >= 0) bySentence[s]! += this.rows[this.ids[i]! * this.columns + column]!;
    }
    let best = 0;
    for (let s = 1; s < tokens.sentences.length; s++) if (bySentence[s]! > bySentence[best]!) best = s;
    return best;
  }
}

/** Both sides' detectors, ready to run. */
export class Detectors {
  readonly user: SideModel;
  readonly counterpart: SideModel;

  constructor(weights: DetectorWeights) {
    if (weights.format !== 'coach2-detectors/1') throw new Error(`coach2 weights: unknown format ${String(weights.format)}`);
    this.user = new SideModel('user', weights.sides.user);
    this.counterpart = new SideModel('counterpart', weights.sides.counterpart);
  }
}

/** The most probable class of `family` (0: none), ties to the lower class. */
export function classOf(probabilities: ArrayLike<number>, family: Family): number {
  const at = probabilityAt(family);
  let best = 0;
  for (let k = 1; k < FAMILIES[family].classes.length; k++) if (probabilities[at + k]! > probabilities[at + best]!) best = k;
  return best;
}

/** Where a family's class probabilities start in what `detect` writes. */
export function probabilityAt(family: Family): number {
  let at = 0;
  for (const f of familiesOf(FAMILIES[family].side)) {
    if (f === family) return at;
    at += FAMILIES[f].classes.length;
  }
  return at;
}
