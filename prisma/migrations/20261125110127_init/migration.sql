-- CreateEnum
CREATE TYPE "AppealStatus" AS ENUM ('DRAFT', 'PUBLISHED', 'CLOSED');

-- CreateEnum
CREATE TYPE "SignatureStatus" AS ENUM ('PENDING', 'CONFIRMED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "SignatureTokenPurpose" AS ENUM ('CONFIRM');

-- CreateTable
CREATE TABLE "Appeal" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "status" "AppealStatus" NOT NULL DEFAULT 'DRAFT',
    "defaultLocale" TEXT NOT NULL DEFAULT 'en',
    "publishedAt" TIMESTAMPTZ(3),
    "closesAt" TIMESTAMPTZ(3),
    "signatureGoal" INTEGER,
    "publisherName" TEXT NOT NULL,
    "publisherEmail" TEXT,
    "publisherPhone" TEXT,
    "moreInfoUrl" TEXT,
    "supportUrl" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Appeal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppealTranslation" (
    "appealId" UUID NOT NULL,
    "locale" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "body" TEXT NOT NULL,

    CONSTRAINT "AppealTranslation_pkey" PRIMARY KEY ("appealId","locale")
);

-- CreateTable
CREATE TABLE "AppealAuthor" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT,

    CONSTRAINT "AppealAuthor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppealAttachment" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "altText" TEXT NOT NULL,
    "caption" TEXT,
    "credit" TEXT,

    CONSTRAINT "AppealAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signature" (
    "id" UUID NOT NULL,
    "appealId" UUID NOT NULL,
    "fullName" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailCanonical" TEXT NOT NULL,
    "role" TEXT,
    "country" TEXT,
    "city" TEXT,
    "comment" TEXT,
    "showPublicly" BOOLEAN NOT NULL DEFAULT false,
    "wantsUpdates" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "status" "SignatureStatus" NOT NULL DEFAULT 'PENDING',
    "emailsSent" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMPTZ(3),
    "withdrawnAt" TIMESTAMPTZ(3),

    CONSTRAINT "Signature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignatureToken" (
    "tokenHash" BYTEA NOT NULL,
    "signatureId" UUID NOT NULL,
    "purpose" "SignatureTokenPurpose" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SignatureToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "SignatureCountShard" (
    "appealId" UUID NOT NULL,
    "shard" INTEGER NOT NULL,
    "confirmed" INTEGER NOT NULL DEFAULT 0,
    "listed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SignatureCountShard_pkey" PRIMARY KEY ("appealId","shard")
);

-- CreateIndex
CREATE UNIQUE INDEX "Appeal_slug_key" ON "Appeal"("slug");

-- CreateIndex
CREATE INDEX "AppealAuthor_appealId_position_idx" ON "AppealAuthor"("appealId", "position");

-- CreateIndex
CREATE INDEX "AppealAttachment_appealId_position_idx" ON "AppealAttachment"("appealId", "position");

-- CreateIndex
CREATE INDEX "Signature_appealId_status_showPublicly_confirmedAt_id_idx" ON "Signature"("appealId", "status", "showPublicly", "confirmedAt" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Signature_appealId_emailCanonical_key" ON "Signature"("appealId", "emailCanonical");

-- CreateIndex
CREATE INDEX "SignatureToken_signatureId_idx" ON "SignatureToken"("signatureId");

-- AddForeignKey
ALTER TABLE "AppealTranslation" ADD CONSTRAINT "AppealTranslation_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppealAuthor" ADD CONSTRAINT "AppealAuthor_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppealAttachment" ADD CONSTRAINT "AppealAttachment_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signature" ADD CONSTRAINT "Signature_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignatureToken" ADD CONSTRAINT "SignatureToken_signatureId_fkey" FOREIGN KEY ("signatureId") REFERENCES "Signature"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignatureCountShard" ADD CONSTRAINT "SignatureCountShard_appealId_fkey" FOREIGN KEY ("appealId") REFERENCES "Appeal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
