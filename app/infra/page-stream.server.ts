import { Transform, type TransformCallback } from "node:stream";

const largestBatchBytes = 64 * 1024;

/**
 * Where React writes a page. React hands its output over in 2 KB pieces and calls `flush()` when
 * it has nothing more for the moment (the convention of zlib streams); each piece passed on
 * alone became its own compression call and its own flush on the socket, about fifty per page
 * (11% of a confirmation's CPU in a profile). Passing on each of React's batches as one chunk
 * keeps streaming — a batch is what React would send before waiting — at a few writes a page.
 */
export class PageStream extends Transform {
  private batch: Buffer[] = [];
  private batchBytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    // A large page goes on in pieces of this size, so a batch never waits long for its flush.
    if (this.batchBytes >= largestBatchBytes) this.flush();
    done();
  }

  /** React's "nothing more for now". */
  flush(): void {
    if (this.batch.length === 0) return;
    this.push(this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch));
    this.batch = [];
    this.batchBytes = 0;
  }

  override _flush(done: TransformCallback): void {
    this.flush();
    done();
  }
}
