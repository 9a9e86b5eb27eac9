import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * V8 allocates objects of an allocation site straight into the old generation once it has seen
 * most of them survive a scavenge ("allocation-site pretenuring"). Streaming many short-lived
 * objects trips it: the export did when it still read rows through a cursor (at a scavenge most
 * rows of the cursor's last batch were alive, so rows got pretenured and became old garbage that
 * only a full collection finds). With a 2 × 8 MB young generation (`--max-semi-space-size=8`,
 * what the npm scripts asked for then; now 4, decision 038), a 1,000,000-row export grew the
 * web process by 113 MB instead of 13–21 (decision 031). Nothing on the app's hot paths lives long (its
 * lasting data is in Postgres), and no cost was measurable with pretenuring off.
 *
 * Set from inside the web process rather than beside the other argument in package.json, so
 * that a web process started with a smaller young generation some other way (NODE_OPTIONS
 * allows that argument but not this one) cannot end up with the combination that hurts. V8 reads
 * the flag when a collection decides what to pretenure, so setting it at start is in time.
 */
export function keepNewObjectsYoung(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
}

type CollectGarbage = (options: { type: "minor" }) => void;
/** V8's `gc`, once found; null when it could not be had (then nothing is collected early). */
let collectGarbage: CollectGarbage | null | undefined;

/**
 * Runs a scavenge of V8's young generation now. For code that moves a lot of bytes through
 * Buffers while allocating little else, such as an export streaming through `COPY`: a Buffer's
 * bytes live outside V8's heap and are freed only when a collection finds its object dead, and
 * V8 collects the young generation when that fills, which such code does only after hundreds
 * of megabytes, or fully once 64 MB more lie outside its heap. Until then the bytes stay
 * allocated: a 1,000,000-row export grew the web process by 39 MB, against 14 MB with a
 * scavenge every megabyte (decision 033). A scavenge with little alive takes under a
 * millisecond.
 *
 * V8 hands out its `gc` function only to contexts created after `--expose-gc` is set, so the
 * first call sets it and takes the function from a new context, once. (Every context created
 * later gets a `gc` too; the app creates none.) Should a Node version refuse, the export still
 * works, only with more memory.
 */
export function collectYoungGarbage(): void {
  if (collectGarbage === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      const found: unknown = runInNewContext("gc");
      collectGarbage = typeof found === "function" ? (found as CollectGarbage) : null;
    } catch {
      collectGarbage = null;
    }
  }
  collectGarbage?.({ type: "minor" });
}
