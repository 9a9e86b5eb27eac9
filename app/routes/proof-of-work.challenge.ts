import type { LoaderFunctionArgs } from "@remix-run/node";
import { createProofOfWorkChallenge } from "~/domain/proof-of-work.server";

/** A fresh proof-of-work challenge for the sign form's widget; never cached, every one different. */
export async function loader({ context }: LoaderFunctionArgs) {
  return Response.json(await createProofOfWorkChallenge(context.secret), { headers: { "Cache-Control": "no-store" } });
}
