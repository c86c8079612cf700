/**
 * Group commit: callers submit one item each and get its own result, while the work runs in
 * batches. A batch starts at once when fewer than `maxInFlight` are running (so a lone item waits
 * for nothing); items that arrive while batches run wait and leave together in the next one
 * (at most `maxBatch`). Throughput grows with load with no linger delay: the same rule the Kafka
 * producer follows, for statements a worker runs once per delivery (the send ledger's claims and
 * marks: one statement and one commit per batch instead of one per delivery).
 */
export interface GroupCommitOptions {
  maxBatch: number;
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  private readonly queue: Array<Waiting<I, O>> = [];
  private inFlight = 0;

  /** `run` gets the batch and returns one result per item, in order (it throws to fail them all). */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a batch. */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      this.run(batch.map((w) => w.item)).then(
        (results) => {
          batch.forEach((w, i) => (i < results.length ? w.resolve(results[i] as O) : w.reject(new Error('group commit: no result for an item'))));
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      ).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }
}
