import type { Database } from "~/infra/db.server";
import type { Logger } from "~/infra/logger.server";
import type { Mailer } from "~/infra/mail/mailer.server";

/** What every job may use: the jobs sit above the domain and call into it. */
export type JobDependencies = { db: Database; mailer: Mailer; publicUrl: string; log: Logger };
