import type { Task } from "graphile-worker";
import { eraseOldNetworkAddresses, erasePersonalDataOfClosedAppeals } from "~/domain/retention";
import type { JobDependencies } from "./job-dependencies";

/**
 * Every hour: network addresses and browser identifications older than
 * NETWORK_ADDRESS_RETENTION_DAYS are erased from every signature, and the signers of appeals
 * closed longer ago than their retention period lose the rest of their personal data.
 */
export function erasePersonalDataJob(deps: JobDependencies): Task {
  return async () => {
    const networkAddresses = await eraseOldNetworkAddresses(deps.db, deps.networkAddressRetentionDays);
    if (networkAddresses > 0) deps.log.info({ signatures: networkAddresses }, "network addresses erased");
    const appeals = await erasePersonalDataOfClosedAppeals(deps.db);
    for (const appeal of appeals) deps.log.info({ appealId: appeal.appealId, signatures: appeal.signatures }, "personal data of signers erased");
  };
}
