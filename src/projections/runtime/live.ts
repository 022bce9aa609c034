import type pg from 'pg';
import type { Keyring } from '../../privacy/keyring.js';
import { findAnalyzer } from '../../analysis/registry.js';
import type { Analyzer } from '../../analysis/types.js';
import { ensureCheckpoints } from './checkpoints.js';
import { conversationsProjection } from '../readModels/conversations.js';
import { feedbackProjection } from '../readModels/feedback.js';
import type { Projection } from './projection.js';

export async function readLiveAnalyzer(db: pg.Pool | pg.PoolClient): Promise<string | undefined> {
  const result = await db.query<{ analyzer: string }>('SELECT analyzer FROM feedback_live');
  return result.rows[0]?.analyzer;
}

/**
 * A fresh database serves `analyzerId`, built as events arrive; one that already serves something
 * keeps it (switching goes through a rebuild or `feedback use`, so readers never see a partial build).
 */
export async function initLiveAnalyzer(db: pg.Pool, analyzerId: string, lookup = findAnalyzer): Promise<string> {
  if (!lookup(analyzerId)) throw new Error(`unknown analyzer ${analyzerId}`);
  await db.query(
    `WITH live AS (INSERT INTO feedback_live (analyzer) VALUES ($1) ON CONFLICT (singleton) DO NOTHING RETURNING analyzer)
     INSERT INTO feedback_builds (analyzer, status, built_at) SELECT analyzer, 'built', now() FROM live
     ON CONFLICT (analyzer) DO NOTHING`,
    [analyzerId],
  );
  return (await readLiveAnalyzer(db)) as string;
}

/** What the service's runner feeds: the conversations and the live analyzer's feedback. */
export function liveProjections(
  keyring: Keyring,
  lookup: (id: string) => Analyzer | undefined = findAnalyzer,
): (client: pg.PoolClient) => Promise<Projection[]> {
  const known = new Set<string>();
  return async (client) => {
    const live = await readLiveAnalyzer(client);
    const analyzer = live ? lookup(live) : undefined;
    if (!analyzer) throw new Error(`the live analyzer ${live ?? '(none)'} is not in this build; run \`tavus-feedback feedback use\` with one it has`);
    const projections = [conversationsProjection(keyring), feedbackProjection(analyzer)];
    const unseen = projections.map((p) => p.name).filter((n) => !known.has(n));
    if (unseen.length > 0) {
      await ensureCheckpoints(client, unseen);
      for (const n of unseen) known.add(n);
    }
    return projections;
  };
}
