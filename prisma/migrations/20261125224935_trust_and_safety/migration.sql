-- CreateEnum
CREATE TYPE "ProofOfWorkMode" AS ENUM ('OFF', 'AUTOMATIC', 'ALWAYS');

-- CreateEnum
CREATE TYPE "BlockedKind" AS ENUM ('EMAIL_DOMAIN', 'EMAIL', 'NETWORK');

-- AlterEnum
ALTER TYPE "SignatureStatus" ADD VALUE 'HELD';

-- AlterEnum
ALTER TYPE "SignatureTokenPurpose" ADD VALUE 'WITHDRAW';

-- AlterTable
ALTER TABLE "Appeal" ADD COLUMN     "personalDataErasedAt" TIMESTAMPTZ(3),
ADD COLUMN     "proofOfWork" "ProofOfWorkMode" NOT NULL DEFAULT 'AUTOMATIC',
ADD COLUMN     "retentionMonths" INTEGER NOT NULL DEFAULT 6,
ADD COLUMN     "signLimitPerHour" INTEGER,
ADD COLUMN     "signLimitPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "Signature" ADD COLUMN     "consentTextVersion" TEXT,
ADD COLUMN     "consentedAt" TIMESTAMPTZ(3),
ADD COLUMN     "heldReason" TEXT,
ADD COLUMN     "networkAddress" INET,
ADD COLUMN     "privacyNoticeVersion" TEXT,
ADD COLUMN     "userAgent" TEXT;

-- CreateTable
CREATE TABLE "BlockedSigner" (
    "id" UUID NOT NULL,
    "kind" "BlockedKind" NOT NULL,
    "value" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,

    CONSTRAINT "BlockedSigner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsedChallenge" (
    "challengeHash" BYTEA NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UsedChallenge_pkey" PRIMARY KEY ("challengeHash")
);

-- CreateIndex
CREATE UNIQUE INDEX "BlockedSigner_kind_value_key" ON "BlockedSigner"("kind", "value");

-- CreateIndex
CREATE INDEX "UsedChallenge_expiresAt_idx" ON "UsedChallenge"("expiresAt");

-- CreateIndex
CREATE INDEX "Signature_appealId_status_createdAt_idx" ON "Signature"("appealId", "status", "createdAt");
