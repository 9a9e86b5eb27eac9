/**
 * A strict RFC 4180 reader for tests, written apart from the code under test (which uses
 * csv-stringify) so that a quoting mistake there cannot hide itself: fields are separated by
 * commas, records by CRLF or LF, and a quoted field may hold commas, line breaks and doubled
 * quotes. Anything else — a quote inside an unquoted field, text after a closing quote, an
 * unterminated quote — is an error rather than a guess. (csv-parse is not a dependency.)
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let index = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') {
      if (field !== "") throw new Error(`a quote inside an unquoted field at ${index}`);
      index += 1;
      for (;;) {
        const closing = text.indexOf('"', index);
        if (closing < 0) throw new Error(`an unterminated quoted field from ${index - 1}`);
        field += text.slice(index, closing);
        if (text[closing + 1] === '"') {
          field += '"';
          index = closing + 2;
          continue;
        }
        index = closing + 1;
        break;
      }
      const next = text[index];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") throw new Error(`text after a closing quote at ${index}`);
      // An empty quoted field is still a field: mark it so the record ends properly below.
      if (next === undefined) {
        endRecord();
        return records;
      }
      continue;
    }
    if (char === ",") {
      endField();
      index += 1;
    } else if (char === "\r" && text[index + 1] === "\n") {
      endRecord();
      index += 2;
    } else if (char === "\n") {
      endRecord();
      index += 1;
    } else {
      field += char;
      index += 1;
    }
  }
  if (field !== "" || record.length > 0) endRecord();
  return records;
}
