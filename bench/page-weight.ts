/**
 * `npm run bench:page-weight`: the JavaScript a browser downloads to show the appeal page, from
 * the production build (`npm run build` first), gzipped and Brotli-compressed as a server or CDN
 * would send it. Beside it, the same for the organizers' home page (not a target, a comparison).
 *
 * A page loads Remix's manifest, the client entry, and the modules of the routes it matches
 * (root + the route), each with the shared chunks it imports (preloaded as modulepreload links).
 * Modules loaded later (on interaction) are listed apart: they are not on the first screen's bill.
 * The reader's messages come as a script of their own (/messages/<language>.<hash>.js, made by
 * the server): the bill carries the largest language's.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { publicMessagesScript, supportedLocales } from "~/i18n/languages.server";

const buildDir = path.resolve("public/build");
const targetGzipKb = 110;

type RouteEntry = { id: string; module: string; imports?: string[] };
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, RouteEntry>; url: string };

function readManifest(): Manifest {
  const name = readdirSync(buildDir).find((file) => file.startsWith("manifest-") && file.endsWith(".js"));
  if (!name) throw new Error("public/build has no manifest: run `npm run build` first");
  const source = readFileSync(path.join(buildDir, name), "utf8");
  return JSON.parse(source.slice(source.indexOf("{"), source.lastIndexOf("}") + 1)) as Manifest;
}

function fileOf(url: string): string {
  return path.join(buildDir, url.replace(/^\/build\//, ""));
}

type Script = { url: string; bytes: Buffer };

function weigh(scripts: Script[]) {
  return scripts.map(({ url, bytes }) => ({ url, raw: bytes.length, gzip: gzipSync(bytes).length, brotli: brotliCompressSync(bytes).length }));
}

function builtFile(url: string): Script {
  return { url, bytes: readFileSync(fileOf(url)) };
}

/** The messages script of the language whose script is largest (gzipped). */
function largestMessagesScript(): Script {
  const scripts = supportedLocales.map((locale) => {
    const script = publicMessagesScript(locale);
    return { url: script.path, bytes: Buffer.from(script.body, "utf8") };
  });
  return scripts.sort((a, b) => gzipSync(b.bytes).length - gzipSync(a.bytes).length)[0]!;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function pageScripts(manifest: Manifest, routeIds: string[]): Script[] {
  const urls = new Set<string>([manifest.url, manifest.entry.module, ...manifest.entry.imports]);
  for (const id of routeIds) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`the build has no route ${id}`);
    urls.add(route.module);
    for (const imported of route.imports ?? []) urls.add(imported);
  }
  return [...[...urls].map(builtFile), largestMessagesScript()];
}

function report(title: string, scripts: Script[]) {
  const files = weigh(scripts).sort((a, b) => b.gzip - a.gzip);
  const total = files.reduce((sum, file) => ({ raw: sum.raw + file.raw, gzip: sum.gzip + file.gzip, brotli: sum.brotli + file.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  console.log(`\n${title}: ${files.length} files, ${kb(total.raw)} raw, ${kb(total.gzip)} gzip, ${kb(total.brotli)} brotli`);
  for (const file of files) console.log(`  ${kb(file.gzip).padStart(9)} gzip  ${kb(file.brotli).padStart(9)} br  ${file.url}`);
  return total;
}

const manifest = readManifest();
console.log(`Page weight of the production build (public/build, manifest ${manifest.url})`);
const appeal = report("Appeal page (root + appeals/:slug)", pageScripts(manifest, ["root", "routes/appeals.$slug._index"]));
const verdict = appeal.gzip / 1024 <= targetGzipKb ? "met" : `missed by ${kb(appeal.gzip - targetGzipKb * 1024)}`;
console.log(`\nappeal page JavaScript: ${kb(appeal.gzip)} gzip (target ≤ ${targetGzipKb} KB: ${verdict}), ${kb(appeal.brotli)} Brotli`);
if (manifest.routes["routes/organize._index"]) {
  const organize = report("Organizers' home (root + organize + organize/_index), for comparison", pageScripts(manifest, ["root", "routes/organize", "routes/organize._index"]));
  console.log(`organizers' home JavaScript: ${kb(organize.gzip)} gzip`);
}
