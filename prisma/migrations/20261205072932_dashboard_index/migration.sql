-- CreateIndex
CREATE INDEX IF NOT EXISTS "Signature_appealId_status_confirmedAt_country_idx" ON "Signature"("appealId", "status", "confirmedAt", "country");
