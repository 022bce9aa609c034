import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { runAnalyzerBench } from './analyzer.js';
import { runAppendOrderBench } from './appendOrder.js';
import { runFreshnessBench } from './freshness.js';
import { runIngestionBench } from './ingestion.js';
import { runInstancesBench } from './instances.js';
import { runRebuildBench } from './rebuild.js';
import { runRecordingsBench } from './recordings.js';
import { runRelayBench } from './relay.js';
import { ROOT } from './support/processes.js';

// `npm run bench`: every benchmark in turn, printed as it completes, then written into the results
// block of BENCHMARKS.md with the machine they ran on. Pass names to run only some and print them
// (`npm run bench -- ingestion freshness`); only a full run rewrites the file.

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const wanted = (name: string) => only.size === 0 || only.has(name);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const sections: string[] = [`Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}.`];

  if (wanted('analyzer')) {
    const bench = runAnalyzerBench();
    const rows = bench.results.map((r) => {
      const target = r.analyzer.startsWith('baseline') ? 100_000 : 10_000;
      const words = r.annomiWordsPerSecond === null ? 'n/a' : fmt(r.annomiWordsPerSecond);
      return `| ${r.analyzer} | ${fmt(r.analysesPerSecond)} | ${fmt(target)} | ${verdict(r.analysesPerSecond >= target)} | ${words} |`;
    });
    sections.push(
      `### Analyzer (one core)\n\n${bench.method}; ${bench.transcript.turns} turns, ${bench.transcript.words} words.\n\n` +
        `| analyzer | analyses/s | target | | words/s on AnnoMI |\n|---|---|---|---|---|\n${rows.join('\n')}`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('ingestion')) {
    const r = await runIngestionBench();
    sections.push(
      `### Ingestion\n\nautocannon, ${r.connections} connections, ${r.seconds} s after a 2 s warm-up, single-body callbacks of ${fmt(r.bodyBytes)} bytes ` +
        `(30-turn transcript), each for a distinct existing conversation, on its token URL; ${r.database}. The durable floor is the same express ` +
        `stack (request logger, raw body, JSON parse) storing only the raw body with group commit and answering after the commit ` +
        `(the design's yardstick); the ceiling is that stack answering without a database. All three in the same run.\n\n` +
        `| | requests/s | p50 ms | p99 ms | non-2xx | errors |\n|---|---|---|---|---|---|\n` +
        `| ceiling (no database) | ${fmt(r.ceiling.requestsPerSecond)} | ${r.ceiling.p50} | ${r.ceiling.p99} | ${r.ceiling.non2xx} | ${r.ceiling.errors} |\n` +
        `| durable floor (raw body, group commit) | ${fmt(r.floor.requestsPerSecond)} | ${r.floor.p50} | ${r.floor.p99} | ${r.floor.non2xx} | ${r.floor.errors} |\n` +
        `| service (200 after commit) | ${fmt(r.service.requestsPerSecond)} | ${r.service.p50} | ${r.service.p99} | ${r.service.non2xx} | ${r.service.errors} |\n\n` +
        `Service / durable floor: **${fmt(r.floorRatio * 100)}%** (target ≥ 75%: ${verdict(r.floorRatio >= 0.75)}); service / ceiling ${fmt(r.ratio * 100)}%; ` +
        `p99 ${r.service.p99} ms (target ≤ 40 ms: ` +
        `${verdict(r.service.p99 <= 40)}); deliveries stored during the run: ${fmt(r.durable)} for ${fmt(r.service.total)} answers; ` +
        `the live projections had applied everything ${fmt(r.catchUpSeconds, 1)} s after the load stopped.`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('append-order')) {
    const r = await runAppendOrderBench();
    const a = r.appendsPerSecond;
    sections.push(
      `### Appending in commit order\n\nThe raw append (one statement and commit of 8 transcript events), 16 appenders racing for 5 s, ` +
        `with the three ways considered; ${r.database}.\n\n| ordering | appends/s | vs none |\n|---|---|---|\n` +
        `| none (readers wait on the server's oldest transaction) | ${fmt(a.none)} | 100% |\n` +
        `| advisory lock in a statement of its own | ${fmt(a.lockStatement)} | ${fmt((a.lockStatement / a.none) * 100)}% |\n` +
        `| advisory lock taken by a statement trigger (migration 0016) | ${fmt(a.trigger)} | ${fmt((a.trigger / a.none) * 100)}% |\n\n` +
        `The alternative that keeps the old order (a horizon from the oldest transaction holding a lock on \`events\`, read from ` +
        `pg_locks) costs every reader's poll ${fmt(r.pgLocksHorizonMicros)} µs here with next to no locks held (pg_locks takes every ` +
        `lock partition, so it grows with the server's lock count) and still waits on whoever holds such a lock.`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('instances')) {
    const r = await runInstancesBench();
    const rows = r.runs.map(
      (x) =>
        `| ${x.instances} | ${fmt(x.requestsPerSecond)} | ${x.p99} | ${x.non2xx} | ${x.errors} | ${fmt(x.catchUpSeconds, 1)} | ${x.relayCatchUpSeconds === null ? 'off' : fmt(x.relayCatchUpSeconds, 1)} |`,
    );
    sections.push(
      `### Instances\n\nThe ingestion load (${r.connections} connections in all, ${r.seconds} s after a 2 s warm-up) spread evenly over one or three ` +
        `service instances on one Postgres, on this one machine; ${r.database}.\n\n` +
        `| instances | requests/s (all) | worst p99 ms | non-2xx | errors | projections caught up after, s | relay caught up after, s |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('relay')) {
    const r = await runRelayBench();
    sections.push(
      `### Relay\n\nA backlog of ${fmt(r.events)} events (ended conversations with 30-turn transcripts) published from the start to ${r.target}: ` +
        `**${fmt(r.eventsPerSecond)} events/s** (${fmt(r.seconds, 1)} s); ${r.database}.`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('freshness')) {
    const quiet = await runFreshnessBench();
    const shared = await runFreshnessBench({ foreignTransactionSeconds: 20 });
    const row = (label: string, r: typeof quiet) =>
      `| ${label} | ${fmt(r.sent)} | ${r.non200} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ≤ 100 ms: ${verdict(r.p99 <= 100)} |`;
    const failures = [quiet, shared].flatMap((r) => Object.entries(r.failures).map(([k, n]) => `${n} × ${k}`));
    sections.push(
      `### Freshness\n\n${fmt(quiet.rate)} callbacks/s for ${quiet.seconds} s, single-body callbacks, each timed from its 200 to its row ` +
        `appearing in feedback_sessions (polled every ${quiet.pollMs} ms); on a quiet server, and while a writing transaction in another ` +
        `database of the same server stays open for 20 s (all of the run)${failures.length ? `; not 200: ${failures.join(', ')}` : ''}; ${quiet.database}.\n\n` +
        `| server | callbacks | not 200 | p50 ms | p99 ms | max ms | target p99 |\n|---|---|---|---|---|---|---|\n` +
        `${row('quiet', quiet)}\n${row('foreign 20 s transaction', shared)}`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('rebuild')) {
    const r = await runRebuildBench();
    const rows = r.sizes.flatMap((s) =>
      s.runs.map((run) => {
        const target = run.analyzer.startsWith('baseline') ? 25_000 : 10_000;
        return `| ${fmt(s.conversations)} | ${run.analyzer} | ${fmt(run.perSecond)} | ${fmt(target)}: ${verdict(run.perSecond >= target)} | ${run.peakRssMb} | ${verdict(run.peakRssMb <= 300)} |`;
      }),
    );
    const setup = r.sizes.map(
      (s) =>
        `${fmt(s.conversations)}: generated in ${fmt(s.generateSeconds, 1)} s, projected in ${fmt(s.projectSeconds, 1)} s (${fmt(s.conversations / s.projectSeconds)} conversations/s)`,
    );
    sections.push(
      `### Rebuild\n\nHistories of ended conversations (started, ended, 30-turn transcript) generated in the event store and projected by the ` +
        `conversations projection (${setup.join('; ')}), then \`tavus-feedback rebuild feedback --analyzer X\` as a real process, timed ` +
        `end to end (snapshot, catch-up, switch), peak RSS sampled from /proc; ${r.database}.\n\n` +
        `| conversations | analyzer | conversations/s | target | peak RSS MB | ≤ 300 MB |\n|---|---|---|---|---|---|\n${rows.join('\n')}`,
    );
    console.log(sections.at(-1));
  }

  if (wanted('recordings')) {
    const r = await runRecordingsBench();
    const growth = r.rssPeakMb - r.rssBeforeMb;
    sections.push(
      `### Recordings\n\nA ${fmt(r.megabytes)} MB recording copied from the S3 stand-in's Tavus bucket into its app storage (streamed multipart, ` +
        `5 MiB parts two at a time, then read back and checked by SHA-256) by a process of its own; the stand-in (s3rver, which writes each ` +
        `part to disk and then the whole object again) runs in the bench's process on the same cores.\n\n` +
        `| seconds | MB/s (copied and read back) | RSS before MB | peak RSS MB | growth MB | ≤ 150 MB |\n|---|---|---|---|---|---|\n` +
        `| ${fmt(r.seconds, 1)} | ${fmt(r.megabytesPerSecond, 1)} | ${r.rssBeforeMb} | ${r.rssPeakMb} | ${growth} | ${verdict(growth <= 150)} |`,
    );
    console.log(sections.at(-1));
  }

  if (only.size > 0) return;
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const current = await readFile(file, 'utf8').catch(() => `# Benchmarks\n\n${START}\n${END}\n`);
  const [before, rest] = current.split(START) as [string, string | undefined];
  const after = rest?.split(END)[1] ?? '';
  await writeFile(file, `${before}${START}\n${sections.join('\n\n')}\n${END}${after}`);
  console.log(`\nwritten to ${file}`);
}

await main();
