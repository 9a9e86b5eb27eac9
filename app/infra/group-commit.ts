/**
 * Group commit: calls that arrive while a batch is being written wait for the next batch, and
 * each batch is written by one statement, with one commit. A lone call is written at once (its
 * batch starts immediately), so nothing waits on a timer; under load, each commit carries every
 * call that arrived during the one before. One commit per batch instead of one per call is what
 * lets a burst of signatures through: a commit that queued a job takes PostgreSQL's cluster-wide
 * NOTIFY lock through its WAL flush, so such commits otherwise run strictly one after another.
 *
 * Reads on the hot path are gathered the same way (which appeal a slug names, which
 * confirmation links were opened): each round trip to Postgres costs the web process more CPU
 * than the query costs Postgres, so one query for every request of the moment is what counts.
 * Each call's batch starts after the call arrives, so it never gets an answer older than itself.
 *
 * When a batch fails, each of its calls is run again on its own, so one bad call cannot fail
 * the others: its own error reaches only its caller.
 */
export type GroupCommit<In, Out> = (input: In) => Promise<Out>;

export function createGroupCommit<In, Out>(options: {
  /** Runs a batch; returns one result per input, in the same order. */
  runBatch: (inputs: In[]) => Promise<Out[]>;
  /** Runs one input alone (a batch of one, or the fallback after a failed batch). */
  runOne: (input: In) => Promise<Out>;
  /** At most this many calls in one statement. */
  maxBatch: number;
  /** Batches run at the same time (each on its own connection). */
  maxInFlight: number;
}): GroupCommit<In, Out> {
  type Waiting = { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;

  const settleAlone = (waiting: Waiting) => options.runOne(waiting.input).then(waiting.resolve, waiting.reject);

  const start = () => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      const written =
        batch.length === 1
          ? settleAlone(batch[0]!)
          : options.runBatch(batch.map((waiting) => waiting.input)).then(
              (results) => batch.forEach((waiting, index) => waiting.resolve(results[index]!)),
              () => Promise.all(batch.map(settleAlone)),
            );
      void written.finally(() => {
        inFlight--;
        start();
      });
    }
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      start();
    });
}

/**
 * The usual shape of a batcher: one function runs a batch (a lone call is a batch of one), up
 * to 64 calls a batch and two batches at a time, and one batcher per database client (each client
 * has its own pool), made on first use: the domain's functions take the client as an argument,
 * and tests open several. Modules the browser bundle also imports mark the call
 * `/* @__PURE__ *\/`, so the bundler leaves it out there.
 */
export function gatherPerDatabase<Db extends object, In, Out>(run: (db: Db, inputs: In[]) => Promise<Out[]>): (db: Db, input: In) => Promise<Out> {
  const batchers = new WeakMap<Db, GroupCommit<In, Out>>();
  return (db, input) => {
    let batcher = batchers.get(db);
    if (!batcher) {
      batcher = createGroupCommit<In, Out>({
        runBatch: (inputs) => run(db, inputs),
        runOne: async (one) => (await run(db, [one]))[0]!,
        maxBatch: 64,
        maxInFlight: 2,
      });
      batchers.set(db, batcher);
    }
    return batcher(input);
  };
}
