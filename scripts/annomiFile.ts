import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The AnnoMI development set is not in the repository: it comes with shared/data/annomi beside a
// checkout, or ANNOMI_DEV names it. This is the one place that knows where to look; the tests, the
// bench and the scripts that read it work without it, and say which file they did not find.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function annomiDevFile(): string {
  return path.resolve(process.env.ANNOMI_DEV ?? path.join(repoRoot, '../shared/data/annomi/dev.jsonl'));
}
