/**
 * The patched router (patches/@remix-run+router+1.23.3.patch, decision 028) finds the same
 * routes as the router it patches: every path below, matched against the app's own route tree
 * by the patched CommonJS build (what the server runs) and by the package's untouched UMD build,
 * gives the same matches, params and route ids. The paths are every route's own path with its
 * params filled in, the same in other cases and with trailing or doubled slashes, and a few
 * thousand made of the routes' segments at random.
 *
 *   npm run build && node --import tsx --test tests/route-matching.test.ts
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { projectRoot, requireBuild } from "./support/processes";

type Matcher = (routes: RouteObject[], location: string) => { params: Record<string, string | undefined>; pathname: string; pathnameBase: string; route: { id: string } }[] | null;
type RouteObject = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: RouteObject[] };
type ManifestEntry = { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean };

const require = createRequire(import.meta.url);
const patched = (require("@remix-run/router") as { matchRoutes: Matcher }).matchRoutes;
const untouched = (require("@remix-run/router/dist/router.umd.js") as { matchRoutes: Matcher }).matchRoutes;

/** The app's route tree as the server builds it, from the build's manifest. */
async function appRoutes(): Promise<{ tree: RouteObject[]; paths: string[] }> {
  requireBuild();
  const build = (await import(pathToFileURL(path.join(projectRoot, "build", "server", "index.js")).href)) as { routes: Record<string, ManifestEntry> };
  const entries = Object.values(build.routes);
  const childrenOf = (parentId: string | undefined): RouteObject[] =>
    entries
      .filter((entry) => entry.parentId === parentId)
      .map((entry) => ({ id: entry.id, path: entry.path, index: entry.index, caseSensitive: entry.caseSensitive, ...(entry.index ? {} : { children: childrenOf(entry.id) }) }));
  const fullPaths = (routes: RouteObject[], parent: string): string[] =>
    routes.flatMap((route) => {
      const here = route.path ? `${parent}/${route.path}` : parent;
      return [here || "/", ...fullPaths(route.children ?? [], here)];
    });
  const tree = childrenOf(undefined);
  return { tree, paths: [...new Set(fullPaths(tree, ""))] };
}

const comparable = (matches: ReturnType<Matcher>) =>
  matches?.map((match) => ({ id: match.route.id, params: { ...match.params }, pathname: match.pathname, pathnameBase: match.pathnameBase })) ?? null;

/**
 * A tree with what the app's own does not have (yet): routes whose first segment is dynamic,
 * optional or a splat, a case-sensitive one, a catch-all, pathless layouts and index routes.
 */
const kinds: RouteObject[] = [
  {
    id: "root",
    path: "",
    children: [
      { id: "home", index: true },
      { id: "appeals", path: "appeals", children: [{ id: "appeals-index", index: true }, { id: "appeal", path: ":slug", children: [{ id: "thanks", path: "thanks" }] }] },
      { id: "about-in", path: ":lang/about" },
      { id: "docs", path: "docs/:page?" },
      { id: "help", path: ":locale?/help" },
      { id: "case", path: "CaseSensitive", caseSensitive: true },
      { id: "layout", children: [{ id: "sign-in", path: "sign-in" }, { id: "layout-index", index: true }] },
      { id: "files", path: "files/*" },
      { id: "everything-else", path: "*" },
    ],
  },
];

for (const [name, routesOf] of [
  ["the app's own routes", appRoutes],
  ["routes of every kind", async () => ({ tree: kinds, paths: ["/", "/appeals", "/appeals/:slug/thanks", "/:lang/about", "/docs/:page", "/:locale/help", "/help", "/CaseSensitive", "/casesensitive", "/sign-in", "/files/*"] })],
] as const) {
  test(`the patched router matches every path as the untouched one does: ${name}`, async () => {
    await compareOn(await routesOf());
  });
}

async function compareOn({ tree, paths }: { tree: RouteObject[]; paths: string[] }) {
  assert.ok(paths.length > 10, `routes: ${paths.length}`);
  const filled = paths.map((routePath) => routePath.replace(/:[A-Za-z]+/g, "some-value").replace(/\*$/, "rest/of/it"));
  const variants = filled.flatMap((routePath) => [routePath, routePath.toUpperCase(), `${routePath}/`, `/${routePath}`, routePath.replace("/", "//"), `${routePath}/extra`, encodeURI(`${routePath}/é x`)]);
  const fixed = [...variants, "/", "", "//", "/no-such-page", "/APPEALS", "/appeals/%2F", "/appeals/a%2Fb/thanks", "/confirm/abc", "/organize/appeals/x/signatures"];
  const compare = (location: string) => {
    // Twice: the second time the patched router answers from what it worked out the first.
    for (const round of ["first", "again"]) assert.deepEqual(comparable(patched(tree, location)), comparable(untouched(tree, location)), `${location} (${round})`);
    // And with a route array made afresh, as Remix does for each page it renders.
    assert.deepEqual(comparable(patched(structuredClone(tree), location)), comparable(untouched(tree, location)), `${location} (a fresh array)`);
  };
  for (const location of fixed) compare(location);

  const segments = [...new Set(paths.flatMap((routePath) => routePath.split("/")))].map((segment) => segment.replace(/^:.*/, "value"));
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...segments), fc.constantFrom(...segments).map((s) => s.toUpperCase()), fc.string({ maxLength: 6 })), { maxLength: 6 }), (parts) => {
      compare(`/${parts.map((part) => encodeURIComponent(part)).join("/")}`);
    }),
    { numRuns: 3_000 },
  );
}
