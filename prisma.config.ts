// Prisma 7 reads this file for every CLI command. Migrations are NOT run through the CLI here
// (it only drives the native schema engine, which it cannot download offline); see
// docs/decisions/001-prisma-migrations-with-wasm-schema-engine.md and scripts/db.ts.
import { defineConfig, env } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
  },
  datasource: {
    // env() throws when the variable is missing, so a command that really needs a database
    // fails loudly; scripts/prisma-generate.ts supplies a placeholder because generate does not.
    url: env("DATABASE_URL"),
  },
});
