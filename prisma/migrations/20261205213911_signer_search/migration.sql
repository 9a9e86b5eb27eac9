-- The public list's search box looks for words anywhere in a listed signer's name, role or city
-- (ILIKE '%word%'), which a b-tree cannot answer; trigrams can. pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension since PostgreSQL 13: the owner of the database may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Signature_public_search_idx" ON "Signature" USING GIN ("fullName" gin_trgm_ops, "role" gin_trgm_ops, "city" gin_trgm_ops);
