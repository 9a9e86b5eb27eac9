import assert from "node:assert/strict";
import { test } from "node:test";
import { createGroupCommit } from "~/infra/group-commit";

/** A write that takes a turn of the event loop, as a database round trip does. */
const later = () => new Promise((resolve) => setImmediate(resolve));

test("calls that arrive while a batch is written go together in the next one, each with its own result", async () => {
  const batches: number[][] = [];
  const write = createGroupCommit<number, string>({
    runBatch: async (inputs) => {
      batches.push(inputs);
      await later();
      return inputs.map((input) => `written ${input}`);
    },
    runOne: async (input) => {
      batches.push([input]);
      await later();
      return `written ${input}`;
    },
    maxBatch: 20,
    maxInFlight: 2,
  });
  const results = await Promise.all(Array.from({ length: 50 }, (_, index) => write(index)));
  assert.deepEqual(results, Array.from({ length: 50 }, (_, index) => `written ${index}`));
  assert.deepEqual(batches.flat().sort((a, b) => a - b), Array.from({ length: 50 }, (_, index) => index), "each call written once");
  // The first two start at once, alone; the other 48 wait and go 20 at a time.
  assert.deepEqual(batches.map((batch) => batch.length), [1, 1, 20, 20, 8]);
});

test("a lone call is written at once, without waiting for company", async () => {
  let batchWrites = 0;
  const write = createGroupCommit<number, number>({ runBatch: async (inputs) => (batchWrites++, inputs), runOne: async (input) => input * 2, maxBatch: 10, maxInFlight: 1 });
  assert.equal(await write(21), 42);
  assert.equal(batchWrites, 0);
});

test("when a batch fails, each of its calls is written alone and only a bad one fails", async () => {
  const write = createGroupCommit<number, number>({
    runBatch: async () => {
      await later();
      throw new Error("the batch failed");
    },
    runOne: async (input) => {
      await later();
      if (input === 13) throw new Error("13 is refused");
      return input;
    },
    maxBatch: 50,
    maxInFlight: 1,
  });
  const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => write(index)));
  assert.deepEqual(
    settled.map((result) => (result.status === "fulfilled" ? result.value : (result.reason as Error).message)),
    Array.from({ length: 20 }, (_, index) => (index === 13 ? "13 is refused" : index)),
  );
});
