/**
 * The rows of `COPY (…) TO STDOUT (FORMAT binary)` of a query with one text column, as a file:
 * `head`, then each row's text in order (`beforeFirst` before the first row, `between` between
 * two rows), then `tail`, handed on in chunks of about `chunkBytes`. The binary format frames each
 * value with its length (PostgreSQL's documentation, "COPY", "Binary Format"), so a row's bytes
 * are copied as they are, without looking inside them: text format would have escaped line
 * breaks and backslashes, which the file must keep.
 */
export type CopiedFile = {
  head: string;
  beforeFirst: string;
  between: string;
  tail: (rows: number) => string;
  chunkBytes: number;
};

/** "PGCOPY\n\377\r\n\0", then 32 bits of flags and the length of a header extension. */
const signature = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const headerBytes = signature.length + 4 + 4;

export class CopiedLines {
  /** Rows whose text has been written into the file so far. */
  rows = 0;
  private readonly beforeFirst: Buffer;
  private readonly between: Buffer;
  private pending: Buffer;
  private used = 0;
  /** Full chunks of the head, handed on with the first rows (a head longer than a chunk). */
  private waiting: Buffer[] = [];
  /** Bytes of an incomplete field header or file header carried over from the last piece. */
  private carried: Buffer | null = null;
  /** Bytes of the current row's text still to come. */
  private rowLeft = 0;
  private headerRead = false;
  private ended = false;

  constructor(private readonly file: CopiedFile) {
    this.beforeFirst = Buffer.from(file.beforeFirst, "utf8");
    this.between = Buffer.from(file.between, "utf8");
    this.pending = Buffer.allocUnsafe(file.chunkBytes);
    this.write(Buffer.from(file.head, "utf8"), this.waiting);
  }

  /** Takes the next piece of the COPY's output; returns the chunks of the file it completed. */
  take(piece: Buffer): Buffer[] {
    const ready = this.waiting.splice(0);
    const data = this.carried ? Buffer.concat([this.carried, piece]) : piece;
    this.carried = null;
    let at = 0;
    while (at < data.length && !this.ended) {
      if (this.rowLeft > 0) {
        const end = Math.min(data.length, at + this.rowLeft);
        this.write(data.subarray(at, end), ready);
        this.rowLeft -= end - at;
        at = end;
        continue;
      }
      if (!this.headerRead) {
        if (data.length - at < headerBytes) break;
        if (!data.subarray(at, at + signature.length).equals(signature)) throw new Error("not the output of a binary COPY");
        const extension = data.readUInt32BE(at + signature.length + 4);
        if (data.length - at < headerBytes + extension) break;
        at += headerBytes + extension;
        this.headerRead = true;
        continue;
      }
      if (data.length - at < 2) break;
      const fields = data.readInt16BE(at);
      if (fields === -1) {
        this.ended = true;
        at += 2;
        break;
      }
      if (fields !== 1) throw new Error(`a row of ${fields} columns where one was expected`);
      if (data.length - at < 6) break;
      const length = data.readInt32BE(at + 2);
      at += 6;
      if (length < 0) throw new Error("a row without text");
      this.write(this.rows === 0 ? this.beforeFirst : this.between, ready);
      this.rows += 1;
      this.rowLeft = length;
    }
    if (at < data.length && !this.ended) this.carried = Buffer.from(data.subarray(at));
    return ready;
  }

  /** The last chunks, with the tail; throws if the COPY's output stopped before its end. */
  finish(): Buffer[] {
    if (!this.ended || this.rowLeft > 0) throw new Error("the COPY's output ended early");
    const ready = this.waiting.splice(0);
    this.write(Buffer.from(this.file.tail(this.rows), "utf8"), ready);
    if (this.used > 0) ready.push(this.pending.subarray(0, this.used));
    return ready;
  }

  /** Appends bytes to the chunk being filled; full chunks go to `ready`. */
  private write(bytes: Buffer, ready: Buffer[]): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.used === this.pending.length) {
        ready.push(this.pending);
        this.pending = Buffer.allocUnsafe(this.file.chunkBytes);
        this.used = 0;
      }
      const copied = bytes.copy(this.pending, this.used, from, Math.min(bytes.length, from + this.pending.length - this.used));
      this.used += copied;
      from += copied;
    }
  }
}
