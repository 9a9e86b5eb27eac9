import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { CopiedLines, type CopiedFile } from "~/infra/copied-lines.server";
import { useDatabasePerTest } from "./support/database";

/** Lines that are easy to get wrong: empty, multi-byte, with the bytes COPY's text format would escape. */
const lines = ["first", "", "Жанар Қасымқызы — 🎉", 'with "quotes", a\\backslash,\ta tab\r\nand a line break', "x".repeat(70_000), "last"];

describe("the lines of a binary COPY", () => {
  const t = useDatabasePerTest();

  /** What Postgres sends for `COPY (one text column) TO STDOUT (FORMAT binary)`, as one buffer. */
  async function copiedBytes(values: string[]): Promise<Buffer> {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const copy = client.query(copyTo(`COPY (SELECT line FROM unnest(${client.escapeLiteral(`{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`)}::text[]) WITH ORDINALITY AS l(line, n) ORDER BY n) TO STDOUT (FORMAT binary)`));
      const pieces: Buffer[] = [];
      for await (const piece of copy as AsyncIterable<Buffer>) pieces.push(piece);
      return Buffer.concat(pieces);
    } finally {
      await client.end();
    }
  }

  function fileOf(pieces: Buffer[], shape: CopiedFile): { text: string; rows: number; chunkSizes: number[] } {
    const file = new CopiedLines(shape);
    const chunks = pieces.flatMap((piece) => file.take(piece));
    chunks.push(...file.finish());
    return { text: Buffer.concat(chunks).toString("utf8"), rows: file.rows, chunkSizes: chunks.map((chunk) => chunk.length) };
  }

  const jsonLike: CopiedFile = { head: "[", beforeFirst: "\n", between: ",\n", tail: (rows) => (rows === 0 ? "]\n" : "\n]\n"), chunkBytes: 4096 };

  test("each row's text comes out as it was, in order, however the bytes are cut into pieces", async () => {
    const bytes = await copiedBytes(lines);
    const expected = `[\n${lines.join(",\n")}\n]\n`;
    // Whole, then cut at every length from 1 to 40 bytes (the 19-byte header and 6-byte row
    // headers split every possible way), then at a few larger sizes.
    for (const size of [bytes.length, ...Array.from({ length: 40 }, (_, index) => index + 1), 1000, 65_536]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      const { text, rows, chunkSizes } = fileOf(pieces, jsonLike);
      assert.equal(text, expected, `pieces of ${size} bytes`);
      assert.equal(rows, lines.length);
      assert.ok(chunkSizes.slice(0, -1).every((length) => length === jsonLike.chunkBytes), "full chunks until the last");
      assert.ok(chunkSizes.at(-1)! > 0, "no empty chunk");
    }
  });

  test("no rows: the head and the tail", async () => {
    const { text, rows } = fileOf([await copiedBytes([])], jsonLike);
    assert.equal(text, "[]\n");
    assert.equal(rows, 0);
  });

  test("output cut short, or not from a binary COPY, is an error rather than a shorter file", async () => {
    const bytes = await copiedBytes(lines);
    const cut = new CopiedLines(jsonLike);
    cut.take(bytes.subarray(0, bytes.length - 10));
    assert.throws(() => cut.finish(), /ended early/);
    assert.throws(() => new CopiedLines(jsonLike).take(Buffer.from("first\nsecond\nthird, in text format\n")), /not the output of a binary COPY/);
  });
});
