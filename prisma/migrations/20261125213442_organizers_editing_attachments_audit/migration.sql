-- CreateEnum
CREATE TYPE "AttachmentKind" AS ENUM ('IMAGE', 'PDF');

-- CreateEnum
CREATE TYPE "OrganizerRole" AS ENUM ('OWNER', 'EDITOR');

-- CreateEnum
CREATE TYPE "OrganizerTokenPurpose" AS ENUM ('SET_PASSWORD', 'RESET_PASSWORD');

-- AlterEnum
ALTER TYPE "AppealStatus" ADD VALUE 'ARCHIVED';

-- CreateTable
CREATE TABLE "AppealPhone" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT,
    "number" TEXT NOT NULL,

    CONSTRAINT "AppealPhone_pkey" PRIMARY KEY ("id")
);

-- Data: the single publisher phone becomes the first of the publisher's phones.
INSERT INTO "AppealPhone" ("id", "appealId", "position", "number")
SELECT gen_random_uuid(), "id", 0, "publisherPhone" FROM "Appeal" WHERE "publisherPhone" IS NOT NULL;

-- AlterTable
ALTER TABLE "Appeal" DROP COLUMN "publisherPhone",
ADD COLUMN     "archivedAt" TIMESTAMPTZ(3),
ADD COLUMN     "closedAt" TIMESTAMPTZ(3),
ADD COLUMN     "publisherAbout" TEXT,
ADD COLUMN     "publisherWebsite" TEXT;

-- Data: attachments were files under public/ (only the demo appeal's); from now on their bytes
-- live in AttachmentFile, and the demo seed stores its page that way in a new database.
DELETE FROM "AppealAttachment";

-- AlterTable
ALTER TABLE "AppealAttachment" DROP COLUMN "url",
ADD COLUMN     "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "fileName" TEXT NOT NULL,
ADD COLUMN     "kind" "AttachmentKind" NOT NULL DEFAULT 'IMAGE',
ALTER COLUMN "width" DROP NOT NULL,
ALTER COLUMN "height" DROP NOT NULL;

-- CreateTable
CREATE TABLE "AttachmentFile" (
    "attachmentId" UUID NOT NULL,
    "variant" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "byteSize" INTEGER NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "sha256" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "AttachmentFile_pkey" PRIMARY KEY ("attachmentId","variant")
);

-- CreateTable
CREATE TABLE "Organizer" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "emailCanonical" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "OrganizerRole" NOT NULL DEFAULT 'EDITOR',
    "passwordHash" TEXT,
    "passwordChangedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Organizer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrganizerSession" (
    "tokenHash" BYTEA NOT NULL,
    "organizerId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OrganizerSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "OrganizerToken" (
    "tokenHash" BYTEA NOT NULL,
    "organizerId" UUID NOT NULL,
    "purpose" "OrganizerTokenPurpose" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),

    CONSTRAINT "OrganizerToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "appealId" UUID,
    "subject" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AppealPhone_appealId_position_idx" ON "AppealPhone"("appealId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "Organizer_emailCanonical_key" ON "Organizer"("emailCanonical");

-- CreateIndex
CREATE INDEX "OrganizerSession_organizerId_idx" ON "OrganizerSession"("organizerId");

-- CreateIndex
CREATE INDEX "OrganizerToken_organizerId_idx" ON "OrganizerToken"("organizerId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_id_idx" ON "AuditEvent"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Appeal_status_publishedAt_idx" ON "Appeal"("status", "publishedAt" DESC);

-- AddForeignKey
ALTER TABLE "AppealPhone" ADD CONSTRAINT "AppealPhone_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AttachmentFile" ADD CONSTRAINT "AttachmentFile_attachmentId_fkey" FOREIGN KEY ("attachmentId") REFERENCES "AppealAttachment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrganizerSession" ADD CONSTRAINT "OrganizerSession_organizerId_fkey" FOREIGN KEY ("organizerId") REFERENCES "Organizer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrganizerToken" ADD CONSTRAINT "OrganizerToken_organizerId_fkey" FOREIGN KEY ("organizerId") REFERENCES "Organizer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit log is append-only: entries can be added, never changed or removed.
CREATE FUNCTION "audit_event_is_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER "AuditEvent_append_only" BEFORE UPDATE OR DELETE ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION "audit_event_is_append_only"();
