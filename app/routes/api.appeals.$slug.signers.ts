import { findOpenDataAppeal, publicSignerPage } from "~/domain/open-data.server";
import { openDataLoader } from "~/open-data-http.server";

/** GET /api/appeals/{slug}/signers?cursor=&limit=&q=: the public signer list, a page at a time. */
export const loader = openDataLoader(async ({ context, params, query }) => {
  const { id, appeal } = await findOpenDataAppeal(context.db, params.slug ?? "", { publicUrl: context.publicUrl, language: null });
  const page = await publicSignerPage(context.db, id, { cursor: query.get("cursor"), limit: query.get("limit"), q: query.get("q") });
  return { slug: appeal.slug, ...page };
});
