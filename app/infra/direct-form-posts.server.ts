import type { AppLoadContext } from "@remix-run/node";
import type { Request, RequestHandler, Response } from "express";
import { pageAfterConfirming, pageAfterSigning, pressConfirm, submitSignForm, type DecidedFormPost } from "~/form-posts.server";
import { privatePageCacheControl } from "~/http";
import { pathAndQuery } from "./request-path.server";

/**
 * A browser's post of the sign or the confirm form, answered without Remix (decision 036).
 *
 * These two forms are what a spike of signers sends by the thousand, and their usual answer is a
 * redirect to the next page. Turning each into a Fetch API request for Remix, matching routes,
 * running the action and turning its answer back cost the web process more CPU than the
 * submission itself (docs/benchmarks.md). So this middleware, the last before Remix (every guard,
 * header and language rule has run), reads the form, makes the same call the route's action makes
 * (form-posts.server.ts) and, when that leads to the next page, answers the 303 itself.
 *
 * Any other outcome — a mistake to show in the form, a closed appeal, an unknown link, an error —
 * is handed on to Remix with the outcome already decided (`res.locals.decidedFormPost`): the
 * route renders it exactly as when its own action ran, and nothing is submitted twice.
 *
 * Only document posts come here (the forms are plain HTML forms, `reloadDocument`); Remix's
 * `.data` posts and anything unusual (another content type, a trailing slash, a path Remix would
 * decode) go to Remix as before.
 */
export function answerFormPostsDirectly(loadContextFor: (req: Request, res: Response) => AppLoadContext): RequestHandler {
  return (req, res, next) => {
    const post = recognisedFormPost(req);
    if (!post) return next();
    readBody(req).then((body) => {
      const context = loadContextFor(req, res);
      let decided: DecidedFormPost;
      let leadsTo: Promise<string | null>;
      if (post.form === "sign") {
        const outcome = submitSignForm(context, post.slug, formFields(body), req.get("user-agent") ?? null);
        decided = { form: "sign", outcome, body };
        leadsTo = outcome.then((submitted) => pageAfterSigning(context, submitted));
      } else {
        const outcome = pressConfirm(context, post.token);
        decided = { form: "confirm", outcome, body };
        leadsTo = outcome.then((confirmation) => pageAfterConfirming(context, confirmation, post.chosenLanguage));
      }
      const handOn = () => {
        res.locals.decidedFormPost = decided;
        next();
      };
      leadsTo.then((location) => {
        if (location === null) return handOn();
        res.status(303).set({ Location: location, "Cache-Control": privatePageCacheControl, "Content-Length": "0" }).end();
        // An error is handed on too: Remix answers it as it answers its own action's errors.
      }, handOn);
      // The only way a bounded body fails to arrive is a client that went away while sending it:
      // there is no one to answer, and nothing was submitted.
    }, () => res.destroy());
  };
}

type RecognisedFormPost = { form: "sign"; slug: string } | { form: "confirm"; token: string; chosenLanguage: string | null };

function recognisedFormPost(req: Request): RecognisedFormPost | null {
  if (req.method !== "POST" || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.get("content-type") ?? "")) return null;
  // The address as Remix will read it (remix-handler.server.ts builds its request the same way):
  // dot segments resolved, a fragment not part of the query. Escapes stay as sent, so a path
  // Remix would read differently once decoded does not match here and is left to Remix.
  const url = new URL(`http://localhost${pathAndQuery(req.originalUrl)}`);
  const sign = /^\/appeals\/([a-z0-9-]+)$/.exec(url.pathname);
  // The sign form posts to the appeal page's index route with a bare `?index`, as Remix's <Form>
  // writes it; any other spelling is left to Remix.
  if (sign && url.searchParams.getAll("index").includes("")) return { form: "sign", slug: sign[1]! };
  const confirm = /^\/confirm\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (confirm) return { form: "confirm", token: confirm[1]!, chosenLanguage: url.searchParams.get("lang") };
  return null;
}

/** The body's length was checked against its cap by limitRequestBodies before anything read it. */
async function readBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** As readFormFields (app/http.ts) reads a form: every field a string, the last of a repeated name kept. */
function formFields(body: Buffer): Map<string, string> {
  return new Map(new URLSearchParams(body.toString("utf8")));
}
