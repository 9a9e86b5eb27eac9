/**
 * Random and hostile requests to every public form and API of the running app, for the fuzz
 * test (tests/hostile-requests.test.ts) and its benchmark (bench/hostile.ts): what a careless
 * script, a broken client or an attacker might send. A hand-written list comes first, then
 * random cases from fast-check with a fixed seed, so every run sends the same requests.
 *
 * Nothing here judges the answers; the caller does (no 5xx, ever).
 */
import fc from "fast-check";
import { createOrganizerFromCommandLine } from "~/domain/organizer-accounts.server";
import { hashPassword } from "~/domain/passwords.server";
import { signatureFields, signFormHiddenFields } from "~/domain/sign-form-fields";
import { encodeCursor } from "~/domain/signers";
import { confirmSignature, signAppeal, validateSignature } from "~/domain/signatures";
import { createToken } from "~/domain/tokens";
import { createWithdrawalToken } from "~/domain/withdrawals";
import { issueFormToken } from "~/domain/form-timing.server";
import type { Database } from "~/infra/db.server";
import { createTestAppeal } from "./appeals";

/** Above the cap on public form posts (64 KB); everything else stays well below it. */
export const oversizeBytes = 1024 * 1024;
const ordinaryBodyLimit = 48 * 1024;

/** What the requests are aimed at: made by prepareHostileTargets in the app's database. */
export type HostileTargets = {
  /** Published appeals whose proof of work is off (bodies reach validation) and always required. */
  slugs: { off: string; always: string };
  /** Real links: a pending signature's confirmation, a confirmed one's withdrawal, an organizer's password link. */
  tokens: { confirm: string; withdraw: string; password: string };
  /** Form timing tokens the app accepts (signed with its secret): now, long ago, in the future. */
  formTokens: string[];
  /** A real cursor of the signer list (page 2). */
  cursor: string;
  /** An organizer who can sign in, for the sign-in cases that get past the password. */
  organizer: { email: string; password: string };
  /** A challenge from the app's /proof-of-work/challenge, sent back with wrong answers. */
  challenge: unknown;
  /** A correctly solved proof of work, if the caller made one: used twice (the second is a reuse). */
  solvedProofOfWork: string | null;
};

export type HostileRequest = {
  /** The route as a template, for grouping answers: "POST /sign-in", "GET /appeals/:slug/signers". */
  route: string;
  method: "GET" | "POST";
  /** Path and query as sent (already encoded; may be deliberately broken). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent in chunks without a Content-Length. */
  chunked?: boolean;
  /** Far over the cap on public forms: 413 expected, 400 accepted. */
  oversize?: boolean;
  /** What kind of case this is, for the report. */
  what: string;
};

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

/** Lone surrogates cannot be UTF-8: written as their three-byte (WTF-8) form, which no decoder accepts. */
export function wtf8(text: string): Buffer {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.codePointAt(index)!;
    if (code > 0xffff) index++;
    if (code >= 0xd800 && code <= 0xdfff) bytes.push(0xed, 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(...Buffer.from(String.fromCodePoint(code), "utf8"));
  }
  return Buffer.from(bytes);
}

/** application/x-www-form-urlencoded, byte by byte as a browser does it (lone surrogates as WTF-8). */
export function formEncode(text: string): string {
  let encoded = "";
  for (const byte of wtf8(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9*._-]/.test(char)) encoded += char;
    else if (byte === 0x20) encoded += "+";
    else encoded += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

const bidi = { rlo: "\u202e", lro: "\u202d", pdf: "\u202c", rli: "\u2067" };

/** Values that have broken web apps: control characters, odd Unicode, formulas, markup, injections, huge numbers. */
export const hostileValues: readonly string[] = [
  "",
  " ",
  "\u0000",
  "Ana\u0000Souza",
  "\u0000".repeat(200),
  "\u0001\u0002\u0007\b\u001b[31mred\u001b[0m\u007f\u0085",
  "\r\n",
  "Ana\r\nBcc: victim@example.org",
  "line\u2028separator\u2029paragraph",
  `${bidi.rlo}gnp.exe`,
  `Ana ${bidi.rli}${bidi.lro}Souza${bidi.pdf}`,
  "\u200b",
  "\u200b".repeat(300),
  "\ufeffAna",
  "\u00ad",
  "Z\u0337\u0322\u031b\u034ea\u0335l\u0334g\u0338o\u0335",
  "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}".repeat(40),
  "\u{1f3f3}\ufe0f\u200d\u{1f308}",
  "\ufffd",
  "\uffff",
  "\u{10ffff}",
  "\ud800",
  "\udfff",
  "Ana \ud83d Souza",
  "\u0130stanbul",
  "\u00df\ufb03",
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example","click")',
  "+SUM(1+1)",
  "-2+3",
  "@SUM(A1:A9)",
  "\t=1+1",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "<!--",
  "]]>",
  "{{7*7}}",
  "${7*7}",
  "<%= 7*7 %>",
  "' OR '1'='1",
  "'; DROP TABLE \"Signature\"; --",
  "\\",
  "%",
  "%00",
  "%ZZ",
  "%C0%AF",
  "../../../etc/passwd",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "[object Object]",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  "true",
  "on",
  "off",
  "ON",
  "[]",
  "{}",
  "9".repeat(400),
  "x".repeat(5000),
  "\u00e9".repeat(3000),
  "\u{1d54f}".repeat(2000),
  "XX",
  "de",
  "\u{1f1e9}\u{1f1ea}",
  "ZZZ",
];

/** Addresses at the edges of what an address is. */
export const hostileEmails: readonly string[] = [
  "a@b",
  "@",
  "ana@example.org\u0000",
  "ana@example.org\r\nBcc: victim@example.org",
  '"a b"@example.org',
  "ana@[127.0.0.1]",
  "ana@xn--ls8h.la",
  "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a",
  "ana+tag@EXAMPLE.ORG",
  `${"a".repeat(64)}@${"b".repeat(180)}.org`,
  `ana@${"b".repeat(300)}.org`,
  "\uff41\uff4e\uff41@example.org",
  "  ANA@Example.ORG\u200b ",
  "\u0130NA@example.org",
  "ana@example.org,bob@example.org",
  "ana@example.org\u202e",
  "=ana@example.org",
  "<script>@example.org",
];

/** Keys that have broken parsers and object-building code. */
export const hostileKeys: readonly string[] = [
  "__proto__",
  "__proto__[admin]",
  "constructor",
  "constructor[prototype][admin]",
  "prototype",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "fullName[]",
  "fullName[0]",
  "email[$ne]",
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "phones.0.label",
  "phones.99999.number",
  "_data",
  "_routes",
  "index",
  "intent",
  "\u202efullName",
  "fullName\u200b",
  "FULLNAME",
];

/** Garbage for the sign form's hidden fields: the signed time it was issued, the proof of work, the honeypot. */
function hiddenFieldGarbage(targets: HostileTargets) {
  const good = targets.formTokens[0] ?? "";
  const base64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
  const challenge = targets.challenge as { parameters?: Record<string, unknown>; signature?: string } | null;
  return {
    formIssuedAt: [
      "",
      "0",
      "-1",
      "1e400",
      "NaN",
      "9999999999999.",
      `9999999999999.${"A".repeat(43)}`,
      `0000000000000.${"_".repeat(43)}`,
      `${Date.now()}.${"x".repeat(43)}`,
      `${good}x`,
      good.toUpperCase(),
      `${good}\u0000`,
      `${good},${good}`,
      "x".repeat(10_000),
      ...targets.formTokens,
    ],
    altcha: [
      "",
      "x",
      "%%%",
      "e30=",
      "W10=",
      "bnVsbA==",
      base64('"x"'),
      base64({ challenge: null, solution: null }),
      base64({ challenge: {}, solution: {} }),
      base64({ challenge: { parameters: null }, solution: { counter: 1 } }),
      base64({ challenge: "x", solution: "y" }),
      base64('{"__proto__":{"polluted":true},"challenge":{"__proto__":{"x":1}},"solution":{}}'),
      base64({ verificationData: "id=1&verified=true", signature: "00", algorithm: "SHA-256" }),
      base64({ verificationData: null, signature: null }),
      base64({ challenge, solution: { counter: -1, derivedKey: "00" } }),
      base64({ challenge, solution: { counter: 1e300, derivedKey: "zz" } }),
      base64({ challenge, solution: { counter: "NaN", derivedKey: "0".repeat(2000) } }),
      base64({ challenge, solution: { counter: 1, derivedKey: "ab" } }),
      // The challenge's parameters changed (a ruinous cost): its signature no longer matches.
      base64({ challenge: { ...challenge, parameters: { ...challenge?.parameters, cost: 1e9, keyLength: 1e6 } }, solution: { counter: 1, derivedKey: "ab" } }),
      base64({ challenge: { ...challenge, parameters: { ...challenge?.parameters, expiresAt: -1 } }, solution: { counter: 1, derivedKey: "ab" } }),
      base64(`[${"[".repeat(3000)}${"]".repeat(3000)}]`),
      "A".repeat(9_999),
      "A".repeat(10_001),
      "\u0000".repeat(50),
    ],
    website: ["x", "http://spam.example", " ", "\u0000", "\u200b"],
  };
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

type Pair = readonly [key: string, value: string];

export function urlencoded(pairs: readonly Pair[]): Buffer {
  return Buffer.from(pairs.map(([key, value]) => `${formEncode(key)}=${formEncode(value)}`).join("&"), "latin1");
}

type Part = { name: string; value: string | Buffer; filename?: string; contentType?: string };

/** multipart/form-data as a browser writes it (names with quotes and line breaks escaped), or deliberately not. */
export function multipart(parts: readonly Part[], boundary: string, options: { eol?: string; close?: boolean; rawNames?: boolean } = {}): Buffer {
  const eol = options.eol ?? "\r\n";
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const name = options.rawNames ? part.name : part.name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    let head = `--${boundary}${eol}Content-Disposition: form-data; name="${name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += eol;
    if (part.contentType) head += `Content-Type: ${part.contentType}${eol}`;
    chunks.push(wtf8(head + eol), typeof part.value === "string" ? wtf8(part.value) : part.value, Buffer.from(eol));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

const formType = "application/x-www-form-urlencoded";
const multipartType = (boundary: string) => `multipart/form-data; boundary=${boundary}`;

/** A body in one of many encodings, right or broken; `pairs` is what a form would hold. */
type Encoding =
  | "urlencoded"
  | "urlencoded-broken-escapes"
  | "urlencoded-raw-bytes"
  | "multipart"
  | "multipart-wrong-boundary"
  | "multipart-no-boundary"
  | "multipart-unclosed"
  | "multipart-lf-only"
  | "multipart-long-boundary"
  | "multipart-file-parts"
  | "multipart-raw-names"
  | "json"
  | "text-plain"
  | "no-content-type"
  | "odd-content-type";

const encodings: readonly Encoding[] = [
  "urlencoded",
  "urlencoded-broken-escapes",
  "urlencoded-raw-bytes",
  "multipart",
  "multipart-wrong-boundary",
  "multipart-no-boundary",
  "multipart-unclosed",
  "multipart-lf-only",
  "multipart-long-boundary",
  "multipart-file-parts",
  "multipart-raw-names",
  "json",
  "text-plain",
  "no-content-type",
  "odd-content-type",
];

const brokenEscapes = ["%ZZ", "%C0%AF", "%", "%E2%82", "%ED%A0%80", "%FF%FE", "%00", "%%", "%u202E", "%F4%90%80%80", "%C1%BF", "+%2B%"];

const oddContentTypes = [
  "application/x-www-form-urlencoded; charset=utf-16",
  "application/x-www-form-urlencoded; charset=iso-8859-1",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "application/x-www-form-urlencoded, multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded; charset=\u00ff",
  "multipart/mixed; boundary=x",
  'multipart/form-data; boundary="quoted boundary"',
  "multipart/form-data; boundary=",
  "multipart/form-data; boundary=a; boundary=b",
  "text/html",
  "application/octet-stream",
  "application/xml",
  "*/*",
  "form",
  ";;;",
  "x".repeat(1000),
];

function encodeBody(pairs: readonly Pair[], encoding: Encoding, variety: number, randomBytes: Uint8Array): { contentType: string | undefined; body: Buffer } {
  const boundary = `----hostile${variety.toString(36)}`;
  const parts = pairs.map(([name, value]) => ({ name, value }));
  switch (encoding) {
    case "urlencoded":
      return { contentType: formType, body: urlencoded(pairs) };
    case "urlencoded-broken-escapes": {
      const text = urlencoded(pairs).toString("latin1");
      const at = text.length === 0 ? 0 : variety % (text.length + 1);
      const escape = brokenEscapes[variety % brokenEscapes.length]!;
      return { contentType: formType, body: Buffer.from(`${text.slice(0, at)}${escape}${text.slice(at)}&${escape}=${escape}`, "latin1") };
    }
    case "urlencoded-raw-bytes":
      // Bytes that are not UTF-8, unescaped, between ordinary pairs.
      return { contentType: formType, body: Buffer.concat([urlencoded(pairs.slice(0, 2)), Buffer.from("&fullName="), Buffer.from(randomBytes), Buffer.from("&"), urlencoded(pairs.slice(2))]) };
    case "multipart":
      return { contentType: multipartType(boundary), body: multipart(parts, boundary) };
    case "multipart-wrong-boundary":
      return { contentType: multipartType(`${boundary}x`), body: multipart(parts, boundary) };
    case "multipart-no-boundary":
      return { contentType: "multipart/form-data", body: multipart(parts, boundary) };
    case "multipart-unclosed": {
      const whole = multipart(parts, boundary, { close: false });
      return { contentType: multipartType(boundary), body: whole.subarray(0, Math.max(0, whole.length - (variety % 40))) };
    }
    case "multipart-lf-only":
      return { contentType: multipartType(boundary), body: multipart(parts, boundary, { eol: "\n" }) };
    case "multipart-long-boundary": {
      const long = `${boundary}${"-".repeat(80 + (variety % 200))}`;
      return { contentType: multipartType(long), body: multipart(parts, long) };
    }
    case "multipart-file-parts":
      return {
        contentType: multipartType(boundary),
        body: multipart(
          parts.map((part, index) => (index % 2 === 0 ? { ...part, filename: ["x.txt", "", "../../etc/passwd", `${bidi.rlo}fdp.exe`, "\u0000"][variety % 5]!, contentType: "application/octet-stream" } : part)),
          boundary,
        ),
      };
    case "multipart-raw-names":
      return { contentType: multipartType(boundary), body: multipart(parts.map((part, index) => ({ ...part, name: index === 0 ? `${part.name}"; filename="x` : part.name })), boundary, { rawNames: true }) };
    case "json": {
      const object = Object.fromEntries(pairs);
      const json = variety % 3 === 0 ? JSON.stringify(object) : variety % 3 === 1 ? `{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},${JSON.stringify(object).slice(1)}` : JSON.stringify(object).slice(0, -1);
      return { contentType: "application/json", body: wtf8(json) };
    }
    case "text-plain":
      // What <form enctype="text/plain"> sends.
      return { contentType: "text/plain", body: wtf8(pairs.map(([key, value]) => `${key}=${value}`).join("\r\n")) };
    case "no-content-type":
      return { contentType: undefined, body: urlencoded(pairs) };
    case "odd-content-type":
      return { contentType: oddContentTypes[variety % oddContentTypes.length], body: urlencoded(pairs) };
  }
}

/** Drops pairs from the end until the body is an ordinary size (never below the first two). */
function withinOrdinarySize(pairs: Pair[], encode: (pairs: Pair[]) => Buffer): Buffer {
  let kept = pairs;
  let body = encode(kept);
  while (body.length > ordinaryBodyLimit && kept.length > 2) {
    kept = kept.slice(0, -1);
    body = encode(kept);
  }
  if (body.length > ordinaryBodyLimit) {
    kept = kept.map(([key, value]) => [key.slice(0, 2000), value.slice(0, 2000)] as const);
    body = encode(kept);
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const signFields: readonly string[] = [...signatureFields, signFormHiddenFields.honeypot, signFormHiddenFields.issuedAt, "altcha"];

type Endpoint = {
  route: string;
  method: "GET" | "POST";
  /** How often random cases pick it, relative to the others. */
  weight: number;
  fields: readonly string[];
  /** A path; routes with a token in the path get the real one or a hostile one. */
  path: (targets: HostileTargets, token: string | null) => string;
  token?: keyof HostileTargets["tokens"];
  /** An ordinary submission, which random cases then change: bodies that pass validation reach deeper. */
  base?: (targets: HostileTargets, index: number) => Pair[];
};

function signBase(targets: HostileTargets, index: number): Pair[] {
  return [
    ["fullName", `Fuzz Signer ${index}`],
    ["email", `fuzz-${index}@example.org`],
    ["acceptPrivacy", "on"],
    ["showPublicly", "on"],
    [signFormHiddenFields.issuedAt, targets.formTokens[0] ?? ""],
  ];
}

const legacyData = `_data=${encodeURIComponent("routes/appeals.$slug._index")}`;

const endpoints = {
  sign: { route: "POST /appeals/:slug?index (sign form, proof of work off)", method: "POST", weight: 8, fields: signFields, path: (t) => `/appeals/${t.slugs.off}?index`, base: signBase },
  signData: { route: "POST /appeals/:slug.data?index (single fetch)", method: "POST", weight: 5, fields: signFields, path: (t) => `/appeals/${t.slugs.off}.data?index`, base: signBase },
  signLegacy: { route: "POST /appeals/:slug?index&_data= (before single fetch)", method: "POST", weight: 1, fields: signFields, path: (t) => `/appeals/${t.slugs.off}?index&${legacyData}`, base: signBase },
  signNoIndex: { route: "POST /appeals/:slug (no ?index)", method: "POST", weight: 1, fields: signFields, path: (t) => `/appeals/${t.slugs.off}`, base: signBase },
  signPow: { route: "POST /appeals/:slug?index (sign form, proof of work always)", method: "POST", weight: 4, fields: signFields, path: (t) => `/appeals/${t.slugs.always}?index`, base: signBase },
  signPowData: { route: "POST /appeals/:slug.data?index (proof of work always)", method: "POST", weight: 2, fields: signFields, path: (t) => `/appeals/${t.slugs.always}.data?index`, base: signBase },
  confirm: { route: "POST /confirm/:token", method: "POST", weight: 2, fields: ["intent"], token: "confirm", path: (_t, token) => `/confirm/${token}` },
  confirmData: { route: "POST /confirm/:token.data", method: "POST", weight: 1, fields: ["intent"], token: "confirm", path: (_t, token) => `/confirm/${token}.data` },
  withdraw: { route: "POST /withdraw/:token", method: "POST", weight: 2, fields: ["intent"], token: "withdraw", path: (_t, token) => `/withdraw/${token}` },
  signIn: {
    route: "POST /sign-in",
    method: "POST",
    weight: 3,
    fields: ["email", "password", "next"],
    path: () => "/sign-in",
    base: (t) => [
      ["email", t.organizer.email],
      ["password", "not the password at all"],
      ["next", "/organize"],
    ],
  },
  forgotPassword: { route: "POST /forgot-password", method: "POST", weight: 2, fields: ["email"], path: () => "/forgot-password", base: (_t, index) => [["email", `fuzz-${index}@organizers.example`]] },
  password: {
    route: "POST /password/:token",
    method: "POST",
    weight: 2,
    fields: ["password", "confirmation"],
    token: "password",
    path: (_t, token) => `/password/${token}`,
    // The two differ, so a random case almost never uses the link up.
    base: () => [
      ["password", "a long enough passphrase 42"],
      ["confirmation", "a long enough passphrase 43"],
    ],
  },
  signers: { route: "GET /appeals/:slug/signers", method: "GET", weight: 3, fields: ["after", "q", "lang", "_routes", "index"], path: (t) => `/appeals/${t.slugs.off}/signers`, base: (t) => [["after", t.cursor]] },
  apiSigners: { route: "GET /api/appeals/:slug/signers", method: "GET", weight: 2, fields: ["cursor", "limit", "q"], path: (t) => `/api/appeals/${t.slugs.off}/signers` },
  apiCountSeries: { route: "GET /api/appeals/:slug/count-series", method: "GET", weight: 1, fields: ["interval", "from", "to"], path: (t) => `/api/appeals/${t.slugs.off}/count-series` },
  signersData: { route: "GET /appeals/:slug/signers.data", method: "GET", weight: 1, fields: ["after", "_routes"], path: (t) => `/appeals/${t.slugs.off}/signers.data`, base: (t) => [["after", t.cursor]] },
  appealPage: { route: "GET /appeals/:slug", method: "GET", weight: 1, fields: ["lang", "index", "_data"], path: (t) => `/appeals/${t.slugs.off}` },
  challenge: { route: "GET /proof-of-work/challenge", method: "GET", weight: 1, fields: ["x", "_data"], path: () => "/proof-of-work/challenge" },
  healthz: { route: "GET /healthz", method: "GET", weight: 1, fields: ["x"], path: () => "/healthz" },
} satisfies Record<string, Endpoint>;

type EndpointName = keyof typeof endpoints;
const endpointList = Object.entries(endpoints) as [EndpointName, Endpoint][];

/** Tokens in the path of /confirm, /withdraw and /password that are not tokens. */
const hostileTokens = (real: string): string[] => [
  "",
  "nonsense",
  "A".repeat(43),
  `${"A".repeat(42)}%`,
  "%ZZ",
  "%C0%AF",
  "%00",
  `${real}%00`,
  "%ED%A0%80",
  "%E2%80%AE",
  "..%2F..%2Fhealthz",
  "__proto__",
  "x".repeat(3000),
  real.toUpperCase(),
  `${real}x`,
  real.slice(1),
  encodeURIComponent("\u{1f984}".repeat(11)),
];

const sameOrigin = { "Sec-Fetch-Site": "same-origin" };

function pathWithQuery(path: string, query: string): string {
  if (!query) return path;
  return `${path}${path.includes("?") ? "&" : "?"}${query}`;
}

function post(route: string, path: string, what: string, encoded: { contentType: string | undefined; body: Buffer }, headers: Record<string, string> = {}): HostileRequest {
  return {
    route,
    method: "POST",
    path,
    headers: { ...sameOrigin, ...(encoded.contentType === undefined ? {} : { "Content-Type": encoded.contentType }), ...headers },
    body: encoded.body,
    what,
  };
}

const form = (pairs: readonly Pair[]) => ({ contentType: formType, body: urlencoded(pairs) });

/** The hand-written cases: each kind of hostility at least once on each route it applies to. */
export function handWrittenRequests(targets: HostileTargets): HostileRequest[] {
  const requests: HostileRequest[] = [];
  const hidden = hiddenFieldGarbage(targets);
  let serial = 0;
  const base = () => signBase(targets, 100_000 + serial++);
  const replace = (pairs: Pair[], key: string, value: string): Pair[] => [...pairs.filter(([k]) => k !== key), [key, value]];

  // The sign form: through the page's own action URL and through single fetch, whose answer
  // encodes what was typed differently (turbo-stream instead of HTML).
  for (const name of ["sign", "signData"] as const) {
    const { route } = endpoints[name];
    const path = endpoints[name].path(targets);
    const add = (what: string, encoded: { contentType: string | undefined; body: Buffer }, headers?: Record<string, string>) => requests.push(post(route, path, what, encoded, headers));
    add("an ordinary signature", form(base()));
    for (const value of ["Ana\u0000Souza", `${bidi.rlo}Ana`, "\u200b", '=HYPERLINK("http://evil.example","x")', "<script>alert(1)</script>", "Ana \ud800 Souza", "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}", "x".repeat(1000)]) {
      let pairs = base();
      for (const field of ["fullName", "role", "city", "comment"]) pairs = replace(pairs, field, value);
      add("every text field: hostile value", form(pairs));
    }
    for (const email of hostileEmails) add("odd email address", form(replace(base(), "email", email)));
    for (const value of ["off", "true", "ON", "\u0000on", "", "on,on"]) {
      add("checkbox with an odd value", form(replace(replace(base(), "acceptPrivacy", value), "wantsUpdates", value)));
    }
    for (const country of ["XX", "de", "\u{1f1e9}\u{1f1ea}", "\u00df", "\ufb03", "\u0130", "ZZZ", "D\u0000E"]) add("odd country", form(replace(base(), "country", country)));
    add("every field twice, differently", form([...base(), ...signBase(targets, 900_000 + serial++), ["acceptPrivacy", "off"]]));
    add("a 20 KB key", form([...base(), ["k".repeat(20_000), "v"]]));
    add("3,000 fields", form([...base(), ...Array.from({ length: 3000 }, (_, index): Pair => [`f${index}`, "x"])]));
    add("the same field 3,000 times", form([...Array.from({ length: 3000 }, (): Pair => ["fullName", "Ana"]), ...base()]));
    add("prototype-pollution keys", form([...base(), ...hostileKeys.map((key): Pair => [key, "polluted"])]));
    for (const raw of [
      "fullName=%ZZ&email=a%C0%AF@example.org&acceptPrivacy=on",
      "fullName=%&email=%E2%82&acceptPrivacy=on",
      "fullName=%ED%A0%80&email=lone%ED%B0%80@example.org&acceptPrivacy=on",
      "fullName=%FF%FE%00&email=%00@example.org&acceptPrivacy=on",
      "fullName=%u202E&email=a@example.org&acceptPrivacy=on",
      "=&=&=&&&&",
      "&",
      "=",
      "%",
      "fullName",
    ]) {
      add("invalid percent-encoding", { contentType: formType, body: Buffer.from(`${raw}&formIssuedAt=${targets.formTokens[0] ?? ""}`, "latin1") });
    }
    add("bytes that are not UTF-8, unescaped", { contentType: formType, body: Buffer.concat([Buffer.from("fullName="), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00]), Buffer.from("&email=a@example.org&acceptPrivacy=on")]) });
    add("JSON", { contentType: "application/json", body: Buffer.from(JSON.stringify(Object.fromEntries(base()))) });
    add("JSON with __proto__", { contentType: "application/json", body: Buffer.from('{"__proto__":{"admin":true},"fullName":"Ana","email":"a@example.org"}') });
    add("text/plain", { contentType: "text/plain", body: Buffer.from(base().map(([k, v]) => `${k}=${v}`).join("\r\n")) });
    add("no content type", { contentType: undefined, body: urlencoded(base()) });
    add("empty body", { contentType: formType, body: Buffer.alloc(0) });
    add("empty body, no content type", { contentType: undefined, body: Buffer.alloc(0) });
    const boundary = "----hostile";
    const parts = () => base().map(([partName, value]) => ({ name: partName, value }));
    add("multipart with hostile values and a file", { contentType: multipartType(boundary), body: multipart([...parts(), { name: "fullName", value: Buffer.from([0, 1, 2, 255]), filename: "evil.exe", contentType: "application/x-msdownload" }, { name: `${bidi.rlo}comment`, value: "x" }], boundary) });
    add("multipart, wrong boundary", { contentType: multipartType("other"), body: multipart(parts(), boundary) });
    add("multipart, no boundary", { contentType: "multipart/form-data", body: multipart(parts(), boundary) });
    add("multipart, empty boundary", { contentType: "multipart/form-data; boundary=", body: multipart(parts(), "") });
    add("multipart, never closed", { contentType: multipartType(boundary), body: multipart(parts(), boundary, { close: false }) });
    add("multipart, cut mid-header", { contentType: multipartType(boundary), body: Buffer.from(`--${boundary}\r\nContent-Disposition: form-da`) });
    add("multipart, LF line endings", { contentType: multipartType(boundary), body: multipart(parts(), boundary, { eol: "\n" }) });
    add("multipart, part without a name", { contentType: multipartType(boundary), body: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--\r\n`) });
    add("multipart, 300-character boundary", { contentType: multipartType("b".repeat(300)), body: multipart(parts(), "b".repeat(300)) });
    add("multipart, __proto__ parts", { contentType: multipartType(boundary), body: multipart([...parts(), { name: "__proto__", value: "x" }, { name: "constructor[prototype][admin]", value: "1" }], boundary) });
    add("sent in chunks, without a length", form(base()));
    requests[requests.length - 1]!.chunked = true;
    for (const [header, value] of [
      ["Accept-Language", "xx-invalid-very-long-locale-tag;q=abc,*;q=-1,,,"],
      ["Accept-Language", "de-DE-u-co-phonebk-x-private;q=0.9, zh-Hant-TW;q=1e9"],
      ["Accept-Language", "\u00ff\u00fe"],
      ["Accept-Language", "en;".repeat(1000)],
      ["User-Agent", "x".repeat(8000)],
      ["User-Agent", "Mozilla\u00ff<script>"],
    ] as const) {
      add(`hostile ${header}`, form(base()), { [header]: value });
    }
  }
  // The hidden fields: the form's signed issue time and the honeypot; the proof of work where it is required.
  for (const value of hidden.formIssuedAt) requests.push(post(endpoints.sign.route, endpoints.sign.path(targets), "form timing token: garbage", form(replace(base(), signFormHiddenFields.issuedAt, value))));
  for (const value of hidden.website) requests.push(post(endpoints.sign.route, endpoints.sign.path(targets), "honeypot filled", form([...base(), [signFormHiddenFields.honeypot, value]])));
  for (const value of hidden.altcha) requests.push(post(endpoints.signPow.route, endpoints.signPow.path(targets), "proof of work: garbage", form([...base(), ["altcha", value]])));
  for (const value of [...hidden.altcha.slice(0, 3), ...hidden.altcha.slice(-6)]) requests.push(post(endpoints.signPowData.route, endpoints.signPowData.path(targets), "proof of work: garbage", form([...base(), ["altcha", value]])));
  requests.push(post(endpoints.signPow.route, endpoints.signPow.path(targets), "no proof of work", form(base())));
  requests.push(post(endpoints.signPow.route, endpoints.signPow.path(targets), "proof of work in multipart, never closed", { contentType: multipartType("x"), body: multipart([...base(), ["altcha", hidden.altcha[14] ?? "x"] as Pair].map(([partName, value]) => ({ name: partName, value })), "x", { close: false }) }));
  if (targets.solvedProofOfWork) {
    // A real solution: accepted once; the same again is a reuse, answered with the form, never an error.
    for (let use = 0; use < 2; use++) requests.push(post(endpoints.signPow.route, endpoints.signPow.path(targets), "a solved proof of work", form([...replace(base(), "fullName", `${bidi.rlo}Solved \u{1f984}`), ["altcha", targets.solvedProofOfWork]])));
  }

  // The same body once through each of the other ways to reach the sign form.
  for (const name of ["signLegacy", "signNoIndex"] as const) {
    const { route } = endpoints[name];
    const path = endpoints[name].path(targets);
    requests.push(post(route, path, "an ordinary signature", form(base())));
    requests.push(post(route, path, "invalid percent-encoding", { contentType: formType, body: Buffer.from("fullName=%ZZ&email=%C0%AF", "latin1") }));
    requests.push(post(route, path, "multipart, wrong boundary", { contentType: multipartType("x"), body: multipart([{ name: "fullName", value: "Ana" }], "y") }));
    requests.push(post(route, path, "JSON", { contentType: "application/json", body: Buffer.from("{") }));
  }

  // Far too large: the cap answers 413 (a 400 from validation is accepted).
  requests.push({ ...post(endpoints.sign.route, endpoints.sign.path(targets), "a 1 MB name", form(replace(base(), "fullName", "x".repeat(oversizeBytes)))), oversize: true });
  requests.push({
    ...post(endpoints.signData.route, endpoints.signData.path(targets), "a 1 MB multipart comment", { contentType: multipartType("big"), body: multipart([...base(), ["comment", "\u{1f984}".repeat(oversizeBytes / 4)] as Pair].map(([name, value]) => ({ name, value })), "big") }),
    oversize: true,
  });
  requests.push({ ...post(endpoints.signPow.route, endpoints.signPow.path(targets), "262,144 fields (1 MB)", { contentType: formType, body: Buffer.from("x=1&".repeat(oversizeBytes / 4)) }), oversize: true });

  // Confirm and withdraw links: odd bodies with the real token, and tokens that are not tokens.
  for (const name of ["confirm", "confirmData", "withdraw"] as const) {
    const endpoint = endpoints[name];
    const real = targets.tokens[endpoint.token];
    const add = (what: string, encoded: { contentType: string | undefined; body: Buffer }, token = real) => requests.push(post(endpoint.route, endpoint.path(targets, token), what, encoded));
    add("empty body", { contentType: undefined, body: Buffer.alloc(0) });
    add("urlencoded garbage", form(hostileKeys.map((key): Pair => [key, "x"])));
    add("JSON", { contentType: "application/json", body: Buffer.from('{"__proto__":{"x":1}}') });
    add("multipart, wrong boundary", { contentType: multipartType("x"), body: multipart([{ name: "intent", value: "confirm" }], "y") });
    add("invalid percent-encoding", { contentType: formType, body: Buffer.from("%ZZ=%C0%AF", "latin1") });
    for (const token of name === "confirmData" ? hostileTokens(real).slice(0, 6) : hostileTokens(real)) add("a token that is not a token", form([["intent", "go"]]), token);
  }
  for (const name of ["confirm", "withdraw", "password"] as const) {
    for (const token of hostileTokens(targets.tokens[name]).slice(0, 10)) {
      requests.push({ route: `GET /${name}/:token`, method: "GET", path: `/${name}/${token}`, headers: {}, what: "a token that is not a token" });
    }
  }

  // Sign-in: the right password first (with hostile places to go next), then wrong ones and broken bodies.
  const signIn = (what: string, encoded: { contentType: string | undefined; body: Buffer }, path = "/sign-in") => requests.push(post(endpoints.signIn.route, path, what, encoded));
  for (const next of ["/organize\u0000", "/organize/\u{1f984}", "/organize\u202e", "/organize%0d%0aSet-Cookie:%20x=1", "/organize/../../etc/passwd", "//evil.example", "/organize\t", `/organize/${"x".repeat(5000)}`]) {
    signIn("right password, hostile next", form([["email", targets.organizer.email], ["password", targets.organizer.password], ["next", next]]));
  }
  signIn("right password, hostile next in the query", form([["email", targets.organizer.email], ["password", targets.organizer.password]]), `/sign-in?next=${formEncode("/organize\u0000\u{1f984}")}`);
  for (const email of hostileEmails) signIn("odd email address", form([["email", email], ["password", "wrong password here"]]));
  for (const password of ["", "\u0000".repeat(64), "\ud800".repeat(20), "x".repeat(5000), `${bidi.rlo}\u{1f984}`.repeat(100)]) signIn("odd password", form([["email", targets.organizer.email], ["password", password]]));
  signIn("duplicate fields", form([["email", "a@example.org"], ["email", targets.organizer.email], ["password", "x"], ["password", targets.organizer.password]]));
  signIn("JSON", { contentType: "application/json", body: Buffer.from(JSON.stringify({ email: targets.organizer.email, password: targets.organizer.password })) });
  signIn("multipart, never closed", { contentType: multipartType("x"), body: multipart([{ name: "email", value: "a@example.org" }], "x", { close: false }) });
  signIn("invalid percent-encoding", { contentType: formType, body: Buffer.from("email=%ZZ&password=%C0%AF", "latin1") });
  signIn("prototype-pollution keys", form(hostileKeys.map((key): Pair => [key, "x"])));

  const forgot = (what: string, encoded: { contentType: string | undefined; body: Buffer }) => requests.push(post(endpoints.forgotPassword.route, "/forgot-password", what, encoded));
  for (const email of [...hostileEmails, "x".repeat(10_000)]) forgot("odd email address", form([["email", email]]));
  forgot("no email", form([]));
  forgot("JSON", { contentType: "application/json", body: Buffer.from('{"email":["a@example.org"]}') });
  forgot("text/plain", { contentType: "text/plain", body: Buffer.from("email=a@example.org") });
  forgot("invalid percent-encoding", { contentType: formType, body: Buffer.from("email=%ED%A0%80@example.org", "latin1") });

  const passwordPath = endpoints.password.path(targets, targets.tokens.password);
  const password = (what: string, encoded: { contentType: string | undefined; body: Buffer }, path = passwordPath) => requests.push(post(endpoints.password.route, path, what, encoded));
  for (const value of ["", "short", "\u0000".repeat(20), "\ud800".repeat(20), "a".repeat(200), "password1234", "\u{1f984}".repeat(129), "x".repeat(20_000), `${bidi.rlo}abcdefghijkl`]) {
    password("odd password", form([["password", value], ["confirmation", value]]));
  }
  password("confirmation differs by a zero-width space", form([["password", "a long enough passphrase 42"], ["confirmation", "a long enough passphrase 42\u200b"]]));
  password("JSON", { contentType: "application/json", body: Buffer.from('{"password":"a long enough passphrase 42","confirmation":"a long enough passphrase 42"}') });
  password("multipart, no boundary", { contentType: "multipart/form-data", body: Buffer.from("password=x") });
  for (const token of hostileTokens(targets.tokens.password).slice(0, 8)) password("a token that is not a token", form([["password", "x"]]), endpoints.password.path(targets, token));

  // The signer list's cursor, and other query strings.
  const cursorOf = (text: string) => Buffer.from(text, "utf8").toString("base64url");
  const signersPath = endpoints.signers.path(targets);
  const cursors = [
    targets.cursor,
    `${targets.cursor}x`,
    targets.cursor.slice(0, -2),
    "%ZZ",
    "%C0%AF",
    "A".repeat(6000),
    cursorOf("2026-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000"),
    cursorOf("2026-01-01T00:00:00.000Z|------------------------------------"),
    cursorOf("2026-01-01T00:00:00.000Z|000000000000000000000000000000000000"),
    cursorOf("2026-01-01T00:00:00.000Z|ffffffff-ffff-ffff-ffff-ffffffffffff"),
    cursorOf("-100000-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000"),
    cursorOf("+275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000"),
    cursorOf("0|00000000-0000-0000-0000-000000000000"),
    cursorOf("not a date|00000000-0000-0000-0000-000000000000"),
    cursorOf("|"),
    cursorOf("\u0000|\u0000"),
  ];
  for (const after of cursors) {
    for (const path of [signersPath, endpoints.signersData.path(targets)]) {
      requests.push({ route: path.endsWith(".data") ? endpoints.signersData.route : endpoints.signers.route, method: "GET", path: `${path}?after=${after.startsWith("%") ? after : formEncode(after)}`, headers: {}, what: "a cursor that is not one of ours" });
    }
  }
  const queries = [
    "after=1&after=2",
    "after[]=x",
    "after[__proto__]=x",
    "%ZZ=1",
    "=&=&&",
    "__proto__=1&constructor[prototype]=1",
    Array.from({ length: 500 }, (_, index) => `p${index}=${index}`).join("&"),
    `lang=${formEncode("\u0000")}`,
    `lang=${"x".repeat(5000)}`,
    "lang=%ED%A0%80",
    "lang=__proto__",
    "lang=de-DE-u-co-phonebk",
    "_routes=__proto__",
    "_routes=routes%2Fappeals.%24slug.signers,root,nonsense",
    `_routes=${"x,".repeat(1000)}`,
    "index&index=x",
    legacyData,
    "_data=root",
    "_data=nonsense",
  ];
  const getPaths = [signersPath, endpoints.signersData.path(targets), endpoints.appealPage.path(targets), `/appeals/${targets.slugs.off}.data`, "/proof-of-work/challenge", "/healthz"];
  for (const [index, query] of queries.entries()) {
    // Every query on the signer list (page and data); every third on the other pages.
    for (const path of index % 3 === 0 ? getPaths : getPaths.slice(0, 2)) {
      const route = endpointList.find(([, endpoint]) => endpoint.method === "GET" && endpoint.path(targets, null) === path)?.[1].route ?? "GET /appeals/:slug.data";
      requests.push({ route, method: "GET", path: `${path}?${query}`, headers: {}, what: "hostile query string" });
    }
  }
  // Appeal addresses that are not addresses: the page, its data, the sign form and the signer list.
  for (const slug of ["%ZZ", "%C0%AF", "%ED%A0%80", "__proto__", `${targets.slugs.off}%00`, "x".repeat(3000), encodeURIComponent(`${bidi.rlo}\u{1f984}`)]) {
    requests.push({ route: "GET /appeals/:slug (no such appeal)", method: "GET", path: `/appeals/${slug}`, headers: {}, what: "an appeal address that is not one" });
    requests.push({ route: "GET /appeals/:slug/signers (no such appeal)", method: "GET", path: `/appeals/${slug}/signers.data`, headers: {}, what: "an appeal address that is not one" });
    requests.push(post("POST /appeals/:slug?index (no such appeal)", `/appeals/${slug}?index`, "an appeal address that is not one", form(base())));
  }

  // Attachment addresses that are not ours.
  for (const [id, file] of [
    ["%ZZ", "x.pdf"],
    ["00000000-0000-0000-0000-000000000000", "x.pdf"],
    ["------------------------------------", "x.pdf"],
    ["__proto__", "constructor"],
    ["00000000-0000-0000-0000-000000000000", "%00"],
    ["00000000-0000-0000-0000-000000000000", "..%2F..%2Fetc%2Fpasswd"],
    ["00000000-0000-0000-0000-000000000000", `${"a".repeat(64)}.${"b".repeat(3000)}`],
    [`${"0".repeat(8)}%00`, "%C0%AF"],
  ] as const) {
    requests.push({ route: "GET /attachments/:id/:file", method: "GET", path: `/attachments/${id}/${file}`, headers: {}, what: "an attachment address that is not one" });
  }

  // Routes without an action, posted to anyway.
  for (const path of ["/healthz", "/proof-of-work/challenge", signersPath, `${signersPath}.data`]) requests.push(post(`POST ${path.replace(targets.slugs.off, ":slug")}`, path, "a post to a page without a form", form(base())));

  // The one that uses the password link up, last.
  requests.push(post(endpoints.password.route, passwordPath, "a good new password in emoji and bidi", form([["password", `${bidi.rlo}\u{1f984} correct horse battery staple`], ["confirmation", `${bidi.rlo}\u{1f984} correct horse battery staple`]])));
  return requests;
}

// ---------------------------------------------------------------------------------------------
// Random cases
// ---------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const text = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...hostileValues) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileEmails) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, fc.string({ minLength: 1, maxLength: 1 })), maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom("x", "\u00e9", "\u{1f984}", "\u0000", bidi.rlo, "%", "&", "=", "\u200b"), fc.integer({ min: 100, max: 4000 })).map(([char, count]) => char.repeat(count)),
  },
);

/** Header values a client can send: Latin-1, no line breaks or NUL, nothing leading or trailing that fetch would trim. */
const headerText = fc.oneof(
  fc.constantFrom("*", "de-DE,de;q=0.9,en;q=0.8", "xx;q=abc", "en;q=-1", ",,,", "i-klingon", "en-US-x-twain", "zh-Hant-TW-u-nu-hanidec", "q=1", "\u00ff"),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 300 }),
);

type RandomCase = {
  endpoint: EndpointName;
  useBase: boolean;
  pairs: Pair[];
  encoding: Encoding;
  variety: number;
  bytes: Uint8Array;
  realToken: boolean;
  acceptLanguage: string | null;
  userAgent: string | null;
};

function randomCase(): fc.Arbitrary<RandomCase> {
  const endpointArbitrary = fc.oneof(...endpointList.map(([name, endpoint]) => ({ weight: endpoint.weight, arbitrary: fc.constant(name) })));
  return endpointArbitrary.chain((name) => {
    const endpoint: Endpoint = endpoints[name];
    const key = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...endpoint.fields) },
      { weight: 2, arbitrary: fc.constantFrom(...hostileKeys) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );
    return fc.record({
      endpoint: fc.constant(name),
      useBase: fc.boolean(),
      pairs: fc.array(fc.tuple(key, text), { maxLength: 8 }),
      encoding: fc.oneof({ weight: 10, arbitrary: fc.constant<Encoding>("urlencoded") }, { weight: 6, arbitrary: fc.constantFrom(...encodings) }),
      variety: fc.nat({ max: 1_000_000 }),
      bytes: fc.uint8Array({ maxLength: 1024 }),
      realToken: fc.boolean(),
      acceptLanguage: fc.option(headerText, { freq: 3 }),
      userAgent: fc.option(headerText, { freq: 4 }),
    });
  });
}

function requestFromCase(targets: HostileTargets, sample: RandomCase, index: number): HostileRequest {
  const endpoint: Endpoint = endpoints[sample.endpoint];
  let token: string | null = null;
  if (endpoint.token) {
    const real = targets.tokens[endpoint.token];
    const others = hostileTokens(real);
    token = sample.realToken ? real : others[sample.variety % others.length]!;
  }
  const path = endpoint.path(targets, token);
  const base = sample.useBase && endpoint.base ? endpoint.base(targets, index) : [];
  // The random pairs replace the base's fields of the same name half the time, and add to them otherwise.
  const pairs: Pair[] = sample.variety % 2 === 0 ? [...base.filter(([key]) => !sample.pairs.some(([k]) => k === key)), ...sample.pairs] : [...base, ...sample.pairs];
  const headers: Record<string, string> = {};
  if (sample.acceptLanguage !== null) headers["Accept-Language"] = sample.acceptLanguage;
  if (sample.userAgent !== null) headers["User-Agent"] = sample.userAgent;
  const what = `random (${sample.encoding}${sample.useBase ? ", from an ordinary submission" : ""})`;

  if (endpoint.method === "GET") {
    const query = withinOrdinarySize(pairs, (kept) => urlencoded(kept)).toString("latin1");
    // Some of the time, a broken escape in the query as well.
    const broken = sample.encoding === "urlencoded-broken-escapes" ? `&${brokenEscapes[sample.variety % brokenEscapes.length]}` : "";
    return { route: endpoint.route, method: "GET", path: pathWithQuery(path, `${query.slice(0, 6000)}${broken}`), headers, what };
  }
  let encoded = encodeBody(pairs, sample.encoding, sample.variety, sample.bytes);
  if (encoded.body.length > ordinaryBodyLimit) {
    const body = withinOrdinarySize(pairs, (kept) => encodeBody(kept, sample.encoding, sample.variety, sample.bytes).body);
    encoded = { ...encoded, body };
  }
  return post(endpoint.route, path, what, encoded, headers);
}

/**
 * `count` requests: the hand-written ones (cut short if `count` is smaller), then random ones
 * from `seed`. The same targets, count and seed give the same requests.
 */
export function hostileRequests(targets: HostileTargets, options: { count: number; seed: number }): HostileRequest[] {
  const handWritten = handWrittenRequests(targets);
  // The last hand-written case uses the password link up: keep it last of all.
  const last = handWritten.pop()!;
  const fixed = handWritten.slice(0, Math.max(0, options.count - 1));
  const randomCount = Math.max(0, options.count - fixed.length - 1);
  const samples = randomCount > 0 ? fc.sample(randomCase(), { seed: options.seed, numRuns: randomCount }) : [];
  const random = samples.map((sample, index) => requestFromCase(targets, sample, index));
  return options.count > 0 ? [...fixed, ...random, last] : [];
}

// ---------------------------------------------------------------------------------------------
// Setting up, sending, describing
// ---------------------------------------------------------------------------------------------

/**
 * Two published appeals (proof of work off and always), a page and a half of listed signers,
 * a pending signature with its confirmation link, a confirmed one with its withdraw link, and
 * an organizer with a password and a password link.
 */
export async function prepareHostileTargets(db: Database, secret: string): Promise<Omit<HostileTargets, "challenge" | "solvedProofOfWork">> {
  const off = await createTestAppeal(db, { proofOfWork: "OFF" });
  const always = await createTestAppeal(db, { proofOfWork: "ALWAYS" });
  await db.signature.createMany({
    data: Array.from({ length: 60 }, (_, index) => ({
      appealId: off.id,
      fullName: [`Listed Signer ${index}`, `${bidi.rlo}Listed ${index}`, `=HYPERLINK("x") ${index}`, `\u{1f984} ${index}`][index % 4]!,
      email: `listed-${index}@example.org`,
      emailCanonical: `listed-${index}@example.org`,
      showPublicly: true,
      status: "CONFIRMED" as const,
      confirmedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    })),
  });
  const page1 = await db.signature.findMany({ where: { appealId: off.id }, orderBy: [{ confirmedAt: "desc" }, { id: "desc" }], take: 50, select: { id: true, confirmedAt: true } });
  const last = page1[page1.length - 1]!;

  const sign = async (fullName: string, email: string) => {
    const validated = validateSignature({ fullName, email, acceptPrivacy: "on", showPublicly: "on", comment: "<script>alert(1)</script> =1+1" });
    if (!validated.ok) throw new Error(`invalid set-up signature: ${JSON.stringify(validated.fieldErrors)}`);
    return (await signAppeal(db, off.id, validated.input, { locale: "en" })).signatureId;
  };
  const addToken = async (signatureId: string) => {
    const { token, tokenHash } = createToken();
    await db.signatureToken.create({ data: { tokenHash, signatureId, purpose: "CONFIRM", expiresAt: new Date(Date.now() + 86_400_000) } });
    return token;
  };
  const pending = await sign(`<img src=x onerror=alert(1)> ${bidi.rlo}Pending`, "pending@example.org");
  const confirmToken = await addToken(pending);
  const confirmed = await sign("Zo\u00eb \u{1f33b} =HYPERLINK(\"x\")", "confirmed@example.org");
  await confirmSignature(db, await addToken(confirmed), "en");
  const withdrawToken = await createWithdrawalToken(db, confirmed);

  const organizer = { email: "fuzz-owner@organizers.example", password: "a long and fuzzy passphrase 7" };
  await db.organizer.create({
    data: { email: organizer.email, emailCanonical: organizer.email, name: "Fuzz Owner", role: "OWNER", passwordHash: await hashPassword(organizer.password) },
  });
  const invited = await createOrganizerFromCommandLine(db, { email: "fuzz-invited@organizers.example", name: "Fuzz Invited", role: "editor" });
  if (!invited.ok) throw new Error("could not create the invited organizer");

  const now = Date.now();
  return {
    slugs: { off: off.slug, always: always.slug },
    tokens: { confirm: confirmToken, withdraw: withdrawToken, password: invited.linkPath.split("/").pop()! },
    formTokens: [issueFormToken(secret, now - 60_000), issueFormToken(secret, 0), issueFormToken(secret, now + 365 * 86_400_000), issueFormToken(secret, 9_999_999_999_999)],
    cursor: encodeCursor({ confirmedAt: last.confirmedAt!, id: last.id }),
    organizer,
  };
}

export type Answer = {
  request: HostileRequest;
  /** The HTTP status, or null when no answer came (connection closed, timeout). */
  status: number | null;
  error: string | null;
  ms: number;
};

/** Sends every request, `concurrency` at a time, and reads every answer to its end. */
export async function sendHostileRequests(baseUrl: string, requests: readonly HostileRequest[], options: { concurrency: number; timeoutMs: number }): Promise<Answer[]> {
  const answers: Answer[] = new Array(requests.length);
  let next = 0;
  const origin = new URL(baseUrl).origin;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let index = next++; index < requests.length; index = next++) answers[index] = await send(origin, requests[index]!, options.timeoutMs);
    }),
  );
  return answers;
}

async function send(origin: string, request: HostileRequest, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  const headers = { ...request.headers, ...(request.method === "POST" ? { Origin: origin } : {}) };
  const bytes = request.body ? new Uint8Array(request.body) : undefined;
  let body: BodyInit | undefined = bytes;
  if (request.chunked && bytes) {
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 1000) controller.enqueue(bytes.subarray(offset, offset + 1000));
        controller.close();
      },
    });
  }
  try {
    const response = await fetch(`${origin}${request.path}`, {
      method: request.method,
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      ...(request.chunked ? { duplex: "half" } : {}),
    } as RequestInit);
    await response.arrayBuffer();
    return { request, status: response.status, error: null, ms: performance.now() - started };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return { request, status: null, error: `${error instanceof Error ? error.message : String(error)}${cause}`, ms: performance.now() - started };
  }
}

/** One line: method, path, content type, the start of the body (escaped), its size, and what the case is. */
export function describeRequest(request: HostileRequest): string {
  const path = request.path.length > 120 ? `${request.path.slice(0, 120)}…(${request.path.length} chars)` : request.path;
  const contentType = request.headers["Content-Type"];
  const type = contentType === undefined ? "no content type" : contentType.length > 60 ? `${contentType.slice(0, 60)}…` : contentType;
  const printable = (text: string) => JSON.stringify(text).replace(/[\u007f-\u00a0\u00ad]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const body = request.body ? `${printable(request.body.subarray(0, 80).toString("latin1"))}${request.body.length > 80 ? "…" : ""} (${request.body.length} bytes)` : "no body";
  const extraHeaders = Object.keys(request.headers).filter((name) => !["Sec-Fetch-Site", "Content-Type"].includes(name));
  return `${request.method} ${path} [${type}] ${body}${extraHeaders.length ? ` with ${extraHeaders.join(", ")}` : ""}${request.chunked ? " (chunked)" : ""} — ${request.what}`;
}
