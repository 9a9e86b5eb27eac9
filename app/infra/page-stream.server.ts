import { Transform, type TransformCallback } from "node:stream";

const largestBatchBytes = 64 * 1024;
const reactViewBytes = 2048;

/**
 * React 18.3's stream writer fills 2 KB views; when the next character needs more bytes than the
 * view has left (any letter outside ASCII can), it sends the whole view anyway, and the unused
 * bytes go out as NULs: "Мақсат" became "Мақс\0ат" on a Kazakh appeal page, shown as "�".
 * Such a view is exactly 2 KB long and ends in zero bytes. A page never has a NUL of its own
 * (text is stripped of control characters, and in HTML a NUL means nothing), and no UTF-8
 * character contains a zero byte, so dropping a full view's trailing zeros loses nothing.
 */
function withoutReactsPadding(chunk: Buffer): Buffer {
  if (chunk.length !== reactViewBytes || chunk[chunk.length - 1] !== 0) return chunk;
  let end = chunk.length;
  while (end > 0 && chunk[end - 1] === 0) end--;
  return chunk.subarray(0, end);
}

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
    chunk = withoutReactsPadding(chunk);
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
