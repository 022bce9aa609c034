import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EvaluationRow } from './evaluate.js';
import type { Turn } from './types.js';

// The AnnoMI development set (shared/data/annomi/dev.jsonl): counselling conversations rated high
// or low quality, with a behaviour label per utterance. Used by the tests, the bench and the
// evaluate command; the file lives beside the repository, not in it.

export type BehaviourLabel = 'reflection' | 'question' | 'therapist_input' | 'other' | 'n/a';

export interface AnnomiRow extends EvaluationRow {
  id: string;
  topic: string;
  labels: { behaviour: BehaviourLabel; client_talk: string }[];
}

/**
 * The development set's file: `override` (the ANNOMI_DEV variable, read by the caller) or where the
 * shared data sits beside a checkout, `<repo>/../shared/data/annomi/dev.jsonl`.
 */
export function annomiDevPath(repoRoot: string, override?: string): string {
  return override ? path.resolve(override) : path.resolve(repoRoot, '../shared/data/annomi/dev.jsonl');
}

/** The rows, or null when the file is not there (a checkout without shared/). */
export function loadAnnomi(file: string): AnnomiRow[] | null {
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const raw = JSON.parse(line) as { id: string; topic: string; quality: 'high' | 'low'; transcript: Turn[]; labels: AnnomiRow['labels'] };
      return { id: raw.id, topic: raw.topic, quality: raw.quality, transcript: raw.transcript, labels: raw.labels };
    });
}
