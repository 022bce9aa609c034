import { loadAnnomi, type AnnomiRow } from '../../src/analysis/annomi.js';
import { annomiDevFile } from '../../scripts/annomiFile.js';

// The AnnoMI development set for the tests that measure analyzers against experts' ratings. It is
// not in the repository (it comes with shared/data/annomi beside a checkout, or ANNOMI_DEV names
// it): without it those tests skip, and say why once, naming the file they looked for.

/** The rows, or null (after a warning naming `what` and the file) when the set is not there. */
export function annomiRowsFor(what: string): AnnomiRow[] | null {
  const file = annomiDevFile();
  const rows = loadAnnomi(file);
  if (rows === null) console.warn(`${what} skipped: ${file} is missing (it comes with shared/data/annomi beside the checkout; or set ANNOMI_DEV to its path).`);
  return rows;
}
