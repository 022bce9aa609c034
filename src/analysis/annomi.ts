import { existsSync, readFileSync } from 'node:fs';
import type { EvaluationRow } from './evaluate.js';

// The AnnoMI development set (shared/data/annomi/dev.jsonl): counselling conversations rated high
// or low quality, with the experts' codes per utterance. Used by the tests, the bench and coach@2's
// training script, from a file their caller names (it is not in the repository: scripts/annomiFile.ts
// says where it is looked for).

export type BehaviourLabel = 'reflection' | 'question' | 'therapist_input' | 'other' | 'n/a';

/** One utterance's codes. The finer codes are on practitioner turns only, null where not given. */
export interface AnnomiLabel {
  behaviour: BehaviourLabel;
  /** 'change', 'neutral', 'sustain' or 'n/a' in the data; kept open, as the set may add codes. */
  client_talk: string;
  reflection?: 'simple' | 'complex' | null;
  question?: 'open' | 'closed' | null;
  input?: 'information' | 'advice' | 'negotiation' | 'options' | null;
}

export interface AnnomiRow extends EvaluationRow {
  id: string;
  /** The source video: transcripts cut from one video share it, so they are held out together. */
  source: string;
  topic: string;
  labels: AnnomiLabel[];
}

/** The rows, or null when the file is not there. */
export function loadAnnomi(file: string): AnnomiRow[] | null {
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const raw = JSON.parse(line) as Omit<AnnomiRow, 'source'> & { source?: string };
      // Older copies of the file carried no source: each conversation is then its own.
      const source = typeof raw.source === 'string' ? raw.source : raw.id;
      return { id: raw.id, source, topic: raw.topic, quality: raw.quality, transcript: raw.transcript, labels: raw.labels };
    });
}
