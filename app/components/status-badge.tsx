import type { AppealStatus } from "~/domain/appeal-editing";
import { useT } from "~/i18n/react";

const messageOf = {
  DRAFT: "status.draft",
  PUBLISHED: "status.published",
  CLOSED: "status.closed",
  ARCHIVED: "status.archived",
} as const;

export function StatusBadge({ status }: { status: AppealStatus }) {
  const { t } = useT();
  return <span className={`status-badge status-${status.toLowerCase()}`}>{t(messageOf[status])}</span>;
}
