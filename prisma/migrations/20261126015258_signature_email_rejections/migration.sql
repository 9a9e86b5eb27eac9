-- AlterTable
ALTER TABLE "Signature" ADD COLUMN     "emailRejectedAt" TIMESTAMPTZ(3),
ADD COLUMN     "emailRejection" TEXT;
