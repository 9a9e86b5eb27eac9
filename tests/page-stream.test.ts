/**
 * Pages in languages outside ASCII arrive whole: React 18.3 pads some 2 KB pieces of a page
 * with NUL bytes (page-stream.server.ts), which readers saw as "�" in Kazakh text.
 *
 *   node --import tsx --test tests/page-stream.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createElement } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { PageStream } from "~/infra/page-stream.server";

function renderThrough(element: React.ReactElement): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = new PageStream();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
    const { pipe } = renderToPipeableStream(element, { onAllReady: () => pipe(stream), onError: reject });
  });
}

test("Kazakh text keeps every letter wherever React's 2 KB pieces end", async () => {
  // Shifting the text by one to three ASCII characters puts a two-byte letter across a 2 KB
  // boundary in some of these pages, whatever React's own markup adds.
  for (let shift = 0; shift < 4; shift++) {
    const words = Array.from({ length: 400 }, (_, index) => createElement("span", { key: index }, "Мақсат"));
    const html = (await renderThrough(createElement("p", null, "x".repeat(shift), words))).toString("utf8");
    assert.ok(!html.includes("\0"), `no NUL in the page (shift ${shift})`);
    assert.equal(html.match(/Мақсат/g)?.length, 400, `every word whole (shift ${shift})`);
  }
});
