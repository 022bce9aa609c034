import { writeFile } from 'node:fs/promises';
import type pg from 'pg';
import { buildsAmong } from '../projections/builds/builds.js';
import { compareBuilds } from '../projections/builds/compareBuilds.js';
import { renderComparison } from './compareReport.js';

export async function compare(pool: pg.Pool, a: string, b: string, out: string): Promise<void> {
  const built = await buildsAmong(pool, [a, b]);
  const missing = [a, b].filter((id) => !built.includes(id));
  if (missing.length > 0) throw new Error(`no build of ${missing.join(' or ')}; see \`tavus-feedback analyzers\``);
  const comparison = await compareBuilds(pool, a, b);
  await writeFile(out, renderComparison(comparison));
  console.log(`${comparison.common} conversations scored by both ${a} and ${b}`);
  for (const s of comparison.shifts) {
    console.log(
      `  ${s.field.padEnd(20)} changed ${String(s.changed).padStart(8)}   mean ${s.meanA.toFixed(1)} → ${s.meanB.toFixed(1)}   median shift ${s.medianShift.toFixed(1)}`,
    );
  }
  console.log(`report: ${out}`);
}
