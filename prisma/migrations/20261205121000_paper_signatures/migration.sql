-- CreateEnum
CREATE TYPE "SignatureSource" AS ENUM ('ONLINE', 'PAPER');

-- CreateEnum
CREATE TYPE "PaperImportStatus" AS ENUM ('PREVIEW', 'IMPORTED', 'UNDONE');

-- AlterTable
ALTER TABLE "Signature" ADD COLUMN     "paperImportId" UUID,
ADD COLUMN     "source" "SignatureSource" NOT NULL DEFAULT 'ONLINE',
ALTER COLUMN "email" DROP NOT NULL,
ALTER COLUMN "emailCanonical" DROP NOT NULL;

-- CreateTable
CREATE TABLE "PaperImport" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "status" "PaperImportStatus" NOT NULL DEFAULT 'PREVIEW',
    "fileName" TEXT NOT NULL,
    "content" TEXT,
    "rowsTotal" INTEGER NOT NULL,
    "rowsAccepted" INTEGER NOT NULL,
    "rowsRejected" INTEGER NOT NULL,
    "imported" INTEGER,
    "uploadedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importedBy" TEXT,
    "importedAt" TIMESTAMPTZ(3),
    "undoneBy" TEXT,
    "undoneAt" TIMESTAMPTZ(3),
    "removed" INTEGER,

    CONSTRAINT "PaperImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PaperImport_appealId_createdAt_idx" ON "PaperImport"("appealId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Signature_paperImportId_idx" ON "Signature"("paperImportId");

-- AddForeignKey
ALTER TABLE "Signature" ADD CONSTRAINT "Signature_paperImportId_fkey" FOREIGN KEY ("paperImportId") REFERENCES "PaperImport"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaperImport" ADD CONSTRAINT "PaperImport_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
