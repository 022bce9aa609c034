import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per service (tests run several services in one process, so never prom-client's
// global one). Names start with tavus_feedback_; the process metrics keep their standard names.

export const PREFIX = 'tavus_feedback_';

/** One series of a gauge read at scrape time. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface GaugeSpec {
  /** The full metric name, e.g. `tavus_feedback_relay_lag_events`. */
  name: string;
  help: string;
  labelNames?: string[];
  /**
   * Called at every scrape. A number is one series without labels. A throw (reported to
   * `onReadFailed`) leaves a labelled gauge without series and a label-less one at NaN in that
   * scrape, never a made-up 0: one failing source never fails the whole scrape.
   */
  read: () => number | Sample[] | Promise<number | Sample[]>;
}

export interface CounterSpec {
  name: string;
  help: string;
  labelNames?: string[];
  /** Totals kept elsewhere (since start, only ever growing), read at scrape. */
  read: () => Sample[];
}

export interface Metrics {
  registry: Registry;
  /** Callbacks by type and outcome (appended, duplicate, a rejection reason, or why they were refused). */
  callbacks: Counter<'type' | 'outcome'>;
  /** HTTP answers by route template (never the raw path: a callback's path is its credential). */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** A gauge whose value is read at each scrape: how other parts (the relay, say) add theirs. */
  addGauge(spec: GaugeSpec): void;
  /** A counter whose totals another part keeps (reconciliation's, say). */
  addCounter(spec: CounterSpec): void;
}

export function createMetrics(options: { onReadFailed?: (name: string, err: unknown) => void } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const callbacks = new Counter({
    name: `${PREFIX}callbacks_total`,
    help: 'Tavus callbacks received, by callback type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const onReadFailed = options.onReadFailed ?? (() => {});

  return {
    registry,
    callbacks,
    httpDuration,
    addGauge(spec) {
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
        async collect() {
          this.reset();
          let read: number | Sample[];
          try {
            read = await spec.read();
          } catch (err) {
            onReadFailed(spec.name, err);
            // prom-client shows a label-less gauge with no value as 0, which would read as "all well".
            if ((spec.labelNames ?? []).length === 0) this.set(Number.NaN);
            return;
          }
          for (const sample of typeof read === 'number' ? [{ value: read }] : read) this.set(sample.labels ?? {}, sample.value);
        },
      });
    },
    addCounter(spec) {
      new Counter({
        name: spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
        collect() {
          // The totals live elsewhere: the counter mirrors them exactly at each scrape.
          this.reset();
          for (const sample of spec.read()) this.inc(sample.labels ?? {}, sample.value);
        },
      });
    },
  };
}
