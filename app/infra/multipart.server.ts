import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";

/**
 * Reads a form sent as multipart/form-data: its text fields and one file, kept in memory.
 *
 * Remix's memory upload handler throws MaxPartSizeExceededError when a part is too large, which
 * aborts the parse and loses every text field with it. Here a file past the limit is read to its
 * end and dropped, so the page can say "too large" and still give back what was typed.
 */
export type ReceivedFile =
  | { status: "none" }
  | { status: "tooLarge"; fileName: string }
  | { status: "received"; fileName: string; bytes: Buffer };

export type MultipartForm = { fields: Map<string, string>; file: ReceivedFile };

/** Beyond this the request is not read at all: no form field is worth receiving 100 MB for. */
const maxRequestBytes = 100 * 1024 * 1024;
/** A text field longer than this is cut (the form's own length limits are far smaller). */
const maxTextFieldBytes = 64 * 1024;

export class RequestTooLarge extends Error {
  constructor() {
    super("request body too large");
    this.name = "RequestTooLarge";
  }
}

/**
 * The fields and the file named `fileField`, or null when the body is not a multipart form at
 * all. Throws RequestTooLarge past maxRequestBytes (answer 413).
 */
export async function readMultipartForm(request: Request, options: { fileField: string; maxFileBytes: number }): Promise<MultipartForm | null> {
  const declaredLength = Number(request.headers.get("content-length") ?? 0);
  if (declaredLength > maxRequestBytes) throw new RequestTooLarge();

  let bytesRead = 0;
  let file: ReceivedFile = { status: "none" };
  /** Reads a part to its end, keeping at most `keep` bytes. */
  const readPart = async (data: AsyncIterable<Uint8Array>, keep: number) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of data) {
      bytesRead += chunk.byteLength;
      if (bytesRead > maxRequestBytes) throw new RequestTooLarge();
      if (size + chunk.byteLength <= keep) chunks.push(chunk);
      else if (size < keep) chunks.push(chunk.subarray(0, keep - size));
      size += chunk.byteLength;
    }
    return { bytes: Buffer.concat(chunks), size };
  };

  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (filename === undefined) return (await readPart(data, maxTextFieldBytes)).bytes.toString("utf8");
    // Only one file is expected; any other file part is read and dropped.
    const { bytes, size } = await readPart(data, name === options.fileField ? options.maxFileBytes : 0);
    // A file input left empty still sends a part, with no name and no bytes.
    if (name !== options.fileField || (size === 0 && !filename)) return undefined;
    file = size > options.maxFileBytes ? { status: "tooLarge", fileName: filename } : { status: "received", fileName: filename, bytes };
    return undefined;
  };

  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    if (error instanceof RequestTooLarge) throw error;
    return null; // not multipart, no boundary, or a body cut short
  }
  const fields = new Map<string, string>();
  for (const [key, value] of formData) if (typeof value === "string") fields.set(key, value);
  return { fields, file };
}
