import type { Task } from "graphile-worker";
import { closeAppealsAtDeadline } from "~/domain/appeal-lifecycle";
import type { JobDependencies } from "./job-dependencies";

/** Every minute: appeals whose deadline has passed close by themselves, whether or not anyone visits. */
export function closeAppealsAtDeadlineJob(deps: JobDependencies): Task {
  return async () => {
    const closed = await closeAppealsAtDeadline(deps.db);
    if (closed.length > 0) deps.log.info({ appeals: closed }, "appeals closed at their deadline");
  };
}
