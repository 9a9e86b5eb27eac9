-- CreateEnum
CREATE TYPE "SignerUpdateStatus" AS ENUM ('DRAFT', 'SENDING', 'SENT');

-- CreateEnum
CREATE TYPE "SignerUpdateDeliveryStatus" AS ENUM ('PENDING', 'SENT', 'FAILED', 'SKIPPED');

-- AlterEnum
ALTER TYPE "SignatureTokenPurpose" ADD VALUE 'UNSUBSCRIBE';

-- CreateTable
CREATE TABLE "SignerUpdate" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "status" "SignerUpdateStatus" NOT NULL DEFAULT 'DRAFT',
    "createdByName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "sendStartedAt" TIMESTAMPTZ(3),
    "sentByName" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "recipients" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SignerUpdate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignerUpdateTranslation" (
    "updateId" UUID NOT NULL,
    "locale" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "SignerUpdateTranslation_pkey" PRIMARY KEY ("updateId","locale")
);

-- CreateTable
CREATE TABLE "SignerUpdateDelivery" (
    "updateId" UUID NOT NULL,
    "signatureId" UUID NOT NULL,
    "status" "SignerUpdateDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "doneAt" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "SignerUpdateDelivery_pkey" PRIMARY KEY ("updateId","signatureId")
);

-- CreateIndex
CREATE INDEX "SignerUpdate_appealId_createdAt_idx" ON "SignerUpdate"("appealId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "SignerUpdateDelivery_updateId_status_idx" ON "SignerUpdateDelivery"("updateId", "status");

-- CreateIndex
CREATE INDEX "SignerUpdateDelivery_signatureId_idx" ON "SignerUpdateDelivery"("signatureId");

-- AddForeignKey
ALTER TABLE "SignerUpdate" ADD CONSTRAINT "SignerUpdate_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignerUpdateTranslation" ADD CONSTRAINT "SignerUpdateTranslation_updateId_fkey" FOREIGN KEY ("updateId") REFERENCES "SignerUpdate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignerUpdateDelivery" ADD CONSTRAINT "SignerUpdateDelivery_updateId_fkey" FOREIGN KEY ("updateId") REFERENCES "SignerUpdate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignerUpdateDelivery" ADD CONSTRAINT "SignerUpdateDelivery_signatureId_fkey" FOREIGN KEY ("signatureId") REFERENCES "Signature"("id") ON DELETE CASCADE ON UPDATE CASCADE;
