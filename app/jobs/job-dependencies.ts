import type { Database } from "~/infra/db.server";
import type { Logger } from "~/infra/logger.server";
import type { Mailer } from "~/infra/mail/mailer.server";

/** What every job may use: the jobs sit above the domain and call into it. */
export type JobDependencies = {
  db: Database;
  mailer: Mailer;
  publicUrl: string;
  log: Logger;
  /** NETWORK_ADDRESS_RETENTION_DAYS: how long signatures keep their network address and browser. */
  networkAddressRetentionDays: number;
  /** UPDATE_EMAILS_PER_MINUTE: the pace of an update to signers; unset in tests means no pause. */
  updateEmailsPerMinute?: number;
};
