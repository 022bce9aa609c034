// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, algorithm 7.5) with a
// backtracking line search: minimises a smooth convex function given its gradient. Used only to
// train the detectors, where the objective (L2-regularised logistic loss) has one minimum, so
// the answer does not depend on where the search starts or how it gets there. Deterministic:
// no randomness, a fixed order of every floating-point operation.

export interface MinimizeOptions {
  maxIterations: number;
  /** Stop once the largest gradient component falls under this. */
  gradientTolerance: number;
  /** Past steps kept for the curvature estimate. */
  memory?: number;
}

/** `objective(x, gradient)` answers f(x) and writes ∇f(x) into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function minimize(objective: Objective, start: Float64Array, options: MinimizeOptions): { x: Float64Array; value: number; iterations: number } {
  const n = start.length;
  const m = options.memory ?? 10;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let fx = objective(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const direction = new Float64Array(n);
  let nextX = new Float64Array(n);
  let nextG = new Float64Array(n);
  let iteration = 0;

  for (; iteration < options.maxIterations && maxAbs(g) > options.gradientTolerance; iteration++) {
    // Two-loop recursion: direction = −H·g with H built from the last m steps.
    for (let i = 0; i < n; i++) direction[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(s[j]!, direction);
      const yj = y[j]!;
      for (let i = 0; i < n; i++) direction[i]! -= alpha[j]! * yj[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < n; i++) direction[i]! *= gamma;
    }
    for (let j = 0; j < s.length; j++) {
      const beta = rho[j]! * dot(y[j]!, direction);
      const sj = s[j]!;
      for (let i = 0; i < n; i++) direction[i]! += (alpha[j]! - beta) * sj[i]!;
    }

    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (the curvature estimate went stale): start again from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i]!;
      slope = dot(g, direction);
    }
    // The first step has no curvature estimate yet: keep it to a unit length.
    let step = s.length === 0 ? 1 / Math.max(1, Math.sqrt(-slope)) : 1;
    let nextF = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++, step /= 2) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! + step * direction[i]!;
      nextF = objective(nextX, nextG);
      if (nextF <= fx + 1e-4 * step * slope) break;
    }
    if (!(nextF < fx)) break; // no progress is possible at floating-point precision

    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = nextX[i]! - x[i]!;
      yk[i] = nextG[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    [x, nextX] = [nextX, x];
    [g, nextG] = [nextG, g];
    fx = nextF;
  }
  return { x, value: fx, iterations: iteration };
}
