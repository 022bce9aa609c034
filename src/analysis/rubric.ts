import { z } from 'zod';
import { METRIC_NAMES } from './coach/metrics.js';
import { SKILL_SCORE_NAMES } from './types.js';

// A scenario's rubric: the criteria that matter for this conversation beyond the general skills
// (the original design's "custom metrics"). The CLI validates a rubric with `rubricSchema` before
// storing it; analyzers validate again at analysis time, because stored rubrics outlive schemas.

const phrase = z.string().trim().min(1).max(200);
const speaker = z.enum(['user', 'counterpart']).default('user');

/** A measured number within bounds, e.g. `{kind: 'metric', metric: 'talkShare', max: 0.5}`. */
const metricCheck = z
  .object({
    kind: z.literal('metric'),
    metric: z.enum(METRIC_NAMES),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'a metric check needs min, max or both' })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, { message: 'min must not exceed max' });

/** Phrases that should be heard at least `atLeast` times in all, e.g. naming a next step. */
const hearCheck = z.object({
  kind: z.literal('hear'),
  phrases: z.array(phrase).min(1).max(50),
  atLeast: z.number().int().min(1).max(1000).default(1),
  speaker,
});

/** Phrases that should be heard at most `atMost` times in all (default never), e.g. blame. */
const avoidCheck = z.object({
  kind: z.literal('avoid'),
  phrases: z.array(phrase).min(1).max(50),
  atMost: z.number().int().min(0).max(1000).default(0),
  speaker,
});

export const criterionSchema = z.object({
  name: z.string().trim().min(1).max(120),
  weight: z.number().positive().max(100).default(1),
  check: z.discriminatedUnion('kind', [metricCheck, hearCheck, avoidCheck]),
  /** Sub-scores this criterion also moves; it always moves the overall score. */
  affects: z.array(z.enum(SKILL_SCORE_NAMES)).max(3).default([]),
});

export const rubricSchema = z.object({
  criteria: z.array(criterionSchema).min(1).max(50),
  /** How much of each affected score the rubric decides, 0..1. */
  weight: z.number().min(0).max(1).default(0.3),
});

export type Rubric = z.infer<typeof rubricSchema>;
export type Criterion = z.infer<typeof criterionSchema>;
export type RubricInput = z.input<typeof rubricSchema>;

export type RubricParse = { ok: true; rubric: Rubric } | { ok: false; errors: string[] };

/** Validates a stored or typed-in rubric; errors name the path, e.g. `criteria.0.check.metric: ...`. */
export function parseRubric(value: unknown): RubricParse {
  const result = rubricSchema.safeParse(value);
  if (result.success) return { ok: true, rubric: result.data };
  const errors = result.error.issues.slice(0, 10).map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
  return { ok: false, errors };
}
