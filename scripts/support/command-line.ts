/**
 * What the command-line tools (`npm run organizer`, `npm run export`) share: the Prisma client
 * generated if a fresh clone has none yet, and errors shown as one sentence.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** A fresh clone has no generated client until the first build; make it before importing the app. */
export function ensurePrismaClient(): void {
  if (existsSync(path.resolve("app/generated/prisma/client.ts"))) return;
  const generated = spawnSync("npm", ["run", "db:generate", "--silent"], { stdio: "inherit" });
  if (generated.status !== 0) throw new Error("Could not generate the Prisma client (npm run db:generate).");
}

/** `--name value` and `--flag` from argv; positional words in order. */
export function parseArguments(argv: string[]): { words: string[]; options: Map<string, string | true> } {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (!argument.startsWith("--")) {
      words.push(argument);
      continue;
    }
    const [name, inlineValue] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inlineValue !== undefined) options.set(name, inlineValue);
    else if (index + 1 < argv.length && !argv[index + 1]!.startsWith("--")) options.set(name, argv[++index]!);
    else options.set(name, true);
  }
  return { words, options };
}
