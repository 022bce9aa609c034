// Items that arrive while a batch is being written wait together and go in the next batch, so under
// load many requests share one statement and one commit, and when quiet a request waits for nobody.
// No timers: the batch size follows the load by itself.

export interface BatcherOptions {
  /** Most items written in one batch. */
  maxBatch: number;
  /** Batches allowed in flight at once; more than one keeps the database busy while we parse. */
  maxInFlight: number;
  /**
   * Most items waiting for a batch. Past it `submit` refuses at once (BatcherFullError): when the
   * database falls behind, callers hear "retry later" instead of piling up memory and latency.
   */
  maxQueued: number;
}

export class BatcherFullError extends Error {
  override name = 'BatcherFullError';
}

interface Pending<In, Out> {
  item: In;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

export class Batcher<In, Out> {
  private queue: Pending<In, Out>[] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly writeBatch: (items: In[]) => Promise<Out[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: In): Promise<Out> {
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new BatcherFullError(`${this.queue.length} requests are already waiting for the database`));
    }
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or being written. */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch);
    }
  }

  private async run(batch: Pending<In, Out>[]): Promise<void> {
    try {
      const results = await this.writeBatch(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as Out));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      this.pump();
      if (this.inFlight === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }
}
