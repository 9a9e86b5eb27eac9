import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { shareImageSize } from "~/domain/sharing";

/**
 * The picture a link to an appeal shows when it is shared (Open Graph / X card): drawn on the
 * server with satori (a layout of boxes and text → SVG) and resvg (SVG → PNG), from fonts in
 * node_modules — no browser, no other site. One render costs tens of milliseconds of CPU
 * (decision 020 has the figure), so images are kept in memory, keyed by everything they show:
 * a new count, title or publisher makes a new image, and an unchanged appeal is drawn once.
 */

/** Everything the image shows, already in the reader's language. */
export type ShareCard = {
  /** The language of the appeal's title (the `lang` of the text, for line breaking). */
  lang: string;
  title: string;
  /** "1,234 signatures" */
  countText: string;
  /** "of a goal of 5,000", or null when the appeal has no goal. */
  goalText: string | null;
  /** 0–1 toward the goal, or null without one. */
  progress: number | null;
  /** "Published by …" */
  publisherText: string;
  /** The site's name and address, so a reader knows where the link leads. */
  siteText: string;
};

const colours = { ink: "#1a1a1a", muted: "#4b5563", accent: "#1d4ed8", track: "#dbe3f4", paper: "#ffffff" };

/**
 * The fontsource packages split Inter into subsets by script; satori uses one font per family
 * name, so each subset is its own family and the text names them all, in order: Latin first,
 * then Cyrillic, then the Cyrillic letters of Kazakh (Қ Ә Ғ Ң Ө Ұ Ү Һ, in cyrillic-ext).
 */
const fontSubsets = ["latin", "latin-ext", "cyrillic", "cyrillic-ext"] as const;
const fontWeights = [400, 700] as const;
const fontFamily = fontSubsets.map((subset) => `Inter ${subset}`).join(", ");

type SatoriFont = { name: string; data: Buffer; weight: 400 | 700; style: "normal" };
let fontsLoading: Promise<SatoriFont[]> | null = null;

function loadFonts(): Promise<SatoriFont[]> {
  const require = createRequire(import.meta.url);
  fontsLoading ??= Promise.all(
    fontSubsets.flatMap((subset) =>
      fontWeights.map(async (weight) => ({
        name: `Inter ${subset}`,
        // satori reads TTF, OTF and WOFF, not WOFF2.
        data: await readFile(require.resolve(`@fontsource/inter/files/inter-${subset}-${weight}-normal.woff`)),
        weight,
        style: "normal" as const,
      })),
    ),
  );
  return fontsLoading;
}

/** Four lines hold far fewer characters; laying out the rest would only cost time (≈ 1 s for 2,000). */
const maxTitleDrawn = 300;

/** Long titles get smaller type so that most fit in four lines; longer ones end in "…". */
function titleFontSize(title: string): number {
  if (title.length <= 50) return 68;
  if (title.length <= 90) return 58;
  if (title.length <= 140) return 48;
  return 42;
}

function ShareCardLayout({ card }: { card: ShareCard }) {
  const size = titleFontSize(card.title);
  return (
    <div style={{ display: "flex", flexDirection: "column", width: shareImageSize.width, height: shareImageSize.height, boxSizing: "border-box", background: colours.paper, color: colours.ink, fontFamily, borderTop: `16px solid ${colours.accent}`, padding: "48px 64px 52px" }}>
      <div style={{ display: "flex", fontSize: 28, color: colours.muted }}>{card.siteText}</div>
      <div lang={card.lang} style={{ display: "block", fontSize: size, fontWeight: 700, lineHeight: 1.15, marginTop: 28, lineClamp: 4, overflow: "hidden" }}>
        {card.title.slice(0, maxTitleDrawn)}
      </div>
      <div style={{ display: "flex", flexDirection: "column", marginTop: "auto" }}>
        <div style={{ display: "flex", alignItems: "baseline", gap: 20 }}>
          <div style={{ display: "flex", fontSize: 56, fontWeight: 700 }}>{card.countText}</div>
          {card.goalText ? <div style={{ display: "flex", fontSize: 34, color: colours.muted }}>{card.goalText}</div> : null}
        </div>
        {card.progress !== null ? (
          <div style={{ display: "flex", width: "100%", height: 22, marginTop: 18, background: colours.track, borderRadius: 11 }}>
            <div style={{ display: "flex", width: `${Math.round(card.progress * 1000) / 10}%`, height: "100%", background: colours.accent, borderRadius: 11 }} />
          </div>
        ) : null}
        <div style={{ display: "flex", fontSize: 30, color: colours.muted, marginTop: 22 }}>{card.publisherText}</div>
      </div>
    </div>
  );
}

/** Draws the card as a PNG of shareImageSize. */
export async function renderShareImage(card: ShareCard): Promise<Buffer> {
  // Loaded with the first image, not when the web process starts: most processes never draw one.
  const [{ default: satori }, { Resvg }, fonts] = await Promise.all([import("satori"), import("@resvg/resvg-js"), loadFonts()]);
  const svg = await satori(<ShareCardLayout card={card} />, { ...shareImageSize, fonts });
  return new Resvg(svg, { fitTo: { mode: "width", value: shareImageSize.width } }).render().asPng();
}

export type ShareImageCache = { imageFor: (card: ShareCard) => Promise<Buffer> };

/**
 * Images by what they show, the most recently used kept, at most `maxImages` (≈ 40–80 KB each).
 * Readers asking for an image while it is being drawn wait for that render instead of starting
 * their own.
 */
export function createShareImageCache(options: { maxImages: number; render?: (card: ShareCard) => Promise<Buffer> }): ShareImageCache {
  const render = options.render ?? renderShareImage;
  const images = new Map<string, Promise<Buffer>>();
  return {
    imageFor(card) {
      const key = createHash("sha256").update(JSON.stringify(card)).digest("base64url");
      const kept = images.get(key);
      if (kept) {
        // Most recently used last: the oldest are first to go.
        images.delete(key);
        images.set(key, kept);
        return kept;
      }
      const drawing = render(card);
      images.set(key, drawing);
      // A render that failed is not kept: the next reader tries again.
      drawing.catch(() => images.delete(key));
      while (images.size > options.maxImages) images.delete(images.keys().next().value!);
      return drawing;
    },
  };
}

/** The web process's images: 500 appeals × languages fit in about 30 MB. */
export const shareImages = createShareImageCache({ maxImages: 500 });
