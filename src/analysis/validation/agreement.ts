// How closely per-conversation measures from detectors follow the same measures computed from the
// experts' codes: Pearson correlation and mean absolute difference over the conversations where
// both could be measured (a share of questions needs a question).

export interface MeasureAgreement {
  correlation: number;
  meanAbsoluteError: number;
  conversations: number;
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

type Measures = Readonly<Record<string, number | null | undefined>>;

export function agreementOf(detected: readonly Measures[], expert: readonly Measures[], name: string): MeasureAgreement {
  const xs: number[] = [];
  const ys: number[] = [];
  detected.forEach((d, i) => {
    const x = d[name];
    const y = expert[i]![name];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  });
  return {
    correlation: pearson(xs, ys),
    meanAbsoluteError: xs.length === 0 ? Number.NaN : xs.reduce((a, x, i) => a + Math.abs(x - ys[i]!), 0) / xs.length,
    conversations: xs.length,
  };
}

/** Mean correlation over `names` (a measure nobody could take counts as no agreement). */
export function meanCorrelation(detected: readonly Measures[], expert: readonly Measures[], names: readonly string[]): number {
  const rs = names.map((n) => agreementOf(detected, expert, n).correlation);
  return rs.reduce((a, r) => a + (Number.isNaN(r) ? 0 : r), 0) / names.length;
}
