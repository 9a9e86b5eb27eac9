import type pg from "pg";

/**
 * Many confirmed signatures for one appeal in a single statement (generate_series), for the
 * streaming tests and the export benchmark. The values are what real lists hold and what a CSV
 * writer gets wrong: commas, semicolons, double quotes, line breaks, Cyrillic and Kazakh
 * letters, empty optional fields, a long comment (about 340 characters) in every fourth
 * row, and a formula in every fifth name. One per second from
 * 2026-01-01T00:00:01Z, so the n-th row is confirmed at that instant plus n seconds.
 */
export async function insertConfirmedSignatures(client: pg.Pool | pg.Client, appealId: string, count: number): Promise<void> {
  await client.query(
    `INSERT INTO "Signature" ("id", "appealId", "fullName", "email", "emailCanonical", "role", "country", "city", "comment",
       "showPublicly", "wantsUpdates", "status", "createdAt", "confirmedAt")
     SELECT gen_random_uuid(), $1::uuid,
       (ARRAY['Anna Ivanova', 'Жанар Қасымқызы', 'O''Brien, Seán', 'Zoë "Zee" Müller', '=HYPERLINK("http://x","y")'])[1 + n % 5] || ' ' || n,
       'signer' || n || '@example.org', 'signer' || n || '@example.org',
       CASE WHEN n % 3 = 0 THEN NULL ELSE (ARRAY['teacher', 'ООО «Ромашка»', 'Residents; Association', 'nurse, retired'])[1 + n % 4] END,
       (ARRAY['GB', 'KZ', 'DE', 'UA', 'FR'])[1 + n % 5],
       (ARRAY['London', 'Алматы', 'Berlin', 'Київ', 'Paris'])[1 + n % 5],
       CASE n % 4
         WHEN 0 THEN 'I agree, "strongly".' || E'\\n' || 'Second line; with a semicolon.'
         WHEN 1 THEN NULL
         WHEN 2 THEN 'Підтримую це звернення, номер ' || n
         ELSE repeat('Ми, мешканці міста, просимо раду діяти негайно; ', 7) || n
       END,
       n % 2 = 0, n % 3 = 0, 'CONFIRMED',
       timestamptz '2026-01-01 00:00:00+00' + n * interval '1 second',
       timestamptz '2026-01-01 00:00:00+00' + n * interval '1 second'
     FROM generate_series(1, $2::int) AS n`,
    [appealId, count],
  );
}
