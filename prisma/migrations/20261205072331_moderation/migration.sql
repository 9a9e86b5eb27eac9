-- AlterEnum
ALTER TYPE "SignatureStatus" ADD VALUE 'INVALIDATED';

-- AlterTable
ALTER TABLE "Signature" ADD COLUMN     "hiddenAt" TIMESTAMPTZ(3),
ADD COLUMN     "invalidatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "invalidatedByActionId" UUID,
ADD COLUMN     "invalidatedFrom" "SignatureStatus";

-- CreateTable
CREATE TABLE "ModerationAction" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "criteria" JSONB NOT NULL,
    "invalidated" INTEGER NOT NULL,
    "actorName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "undoneAt" TIMESTAMPTZ(3),
    "undoneBy" TEXT,
    "restored" INTEGER,

    CONSTRAINT "ModerationAction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModerationAction_appealId_createdAt_idx" ON "ModerationAction"("appealId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Signature_appealId_createdAt_id_idx" ON "Signature"("appealId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Signature_invalidatedByActionId_idx" ON "Signature"("invalidatedByActionId");

-- AddForeignKey
ALTER TABLE "Signature" ADD CONSTRAINT "Signature_invalidatedByActionId_fkey" FOREIGN KEY ("invalidatedByActionId") REFERENCES "ModerationAction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModerationAction" ADD CONSTRAINT "ModerationAction_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
