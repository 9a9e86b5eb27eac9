/**
 * Properties of what a signer types, checked on thousands of generated inputs (fast-check):
 * email canonicalisation, the rules for names, and validation that never throws and never lets
 * through what it should not.
 *
 *   node --import tsx --test tests/signer-input.property.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { canonicalEmail } from "~/domain/email-addresses";
import { containsWebAddress, hasVisibleLetter } from "~/domain/names";
import { signatureLimits, validateSignature } from "~/domain/signatures";

const localPart = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/).filter((local) => !local.includes(".."));
const domain = fc.constantFrom("example.org", "mail.example.com", "posteo.de", "yandex.kz", "proton.me");
const tag = fc.stringMatching(/^[a-z0-9._-]{0,10}$/);
const mixCase = (text: string, flips: boolean[]) => [...text].map((letter, index) => (flips[index % flips.length] ? letter.toUpperCase() : letter)).join("");

describe("email canonicalisation", () => {
  test("the same for any capitalisation and surrounding spaces, and stable when applied twice", () => {
    fc.assert(
      fc.property(localPart, domain, fc.array(fc.boolean(), { minLength: 1 }), fc.stringMatching(/^ {0,3}$/), (local, host, flips, spaces) => {
        const plain = `${local}@${host}`;
        const messy = `${spaces}${mixCase(plain, flips)}${spaces}`;
        assert.equal(canonicalEmail(messy), canonicalEmail(plain));
        assert.equal(canonicalEmail(canonicalEmail(messy)), canonicalEmail(messy));
      }),
    );
  });

  test("a +tag never makes another signer", () => {
    fc.assert(
      fc.property(localPart.filter((local) => !local.includes("+")), tag, domain, (local, extra, host) => {
        assert.equal(canonicalEmail(`${local}+${extra}@${host}`), canonicalEmail(`${local}@${host}`));
      }),
    );
  });

  test("Gmail ignores dots and knows googlemail.com; other providers keep their dots", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{2,12}$/), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (letters, dotPositions, google) => {
        const dotted = [...letters].map((letter, index) => (dotPositions.includes(index) && index > 0 ? `.${letter}` : letter)).join("");
        assert.equal(canonicalEmail(`${dotted}@${google ? "googlemail.com" : "GMail.com"}`), `${letters}@gmail.com`);
      }),
    );
    assert.equal(canonicalEmail("Jane.Doe+x@GMail.com"), canonicalEmail("janedoe@gmail.com"));
    assert.notEqual(canonicalEmail("jane.doe@example.org"), canonicalEmail("janedoe@example.org"));
  });
});

const invisibleCharacter = fc.constantFrom("\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u2800", "\u3164", "\u115F", "\u1160", "\uFFA0", "\u00AD", "\u034F", " ", "\u00A0", "\u2003");

describe("names", () => {
  test("a name made only of invisible characters and spaces is refused", () => {
    fc.assert(
      fc.property(fc.array(invisibleCharacter, { minLength: 1, maxLength: 30 }), (characters) => {
        const name = characters.join("");
        assert.equal(hasVisibleLetter(name), false);
        const validated = validateSignature({ fullName: `${name}x`.slice(0, -1), email: "a@example.org", acceptPrivacy: "on" });
        assert.equal(validated.ok, false);
      }),
    );
  });

  test("a name with at least one letter, in any script, is accepted, invisible characters or not", () => {
    const letter = fc.constantFrom("a", "Ж", "Қ", "م", "中", "ü", "Ω", "ñ", "ә");
    fc.assert(
      fc.property(fc.array(invisibleCharacter, { maxLength: 5 }), letter, fc.array(invisibleCharacter, { maxLength: 5 }), (before, middle, after) => {
        const name = `${before.join("")}${middle}${after.join("")}`;
        assert.equal(hasVisibleLetter(name), true);
      }),
    );
  });

  test("a name holding a web address is refused; ordinary names with dots and hyphens are not", () => {
    fc.assert(
      fc.property(fc.constantFrom("https://", "http://", "www.", ""), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,14}$/), fc.constantFrom(".com", ".ru", ".kz", ".org", ".xyz"), (scheme, host, topLevel) => {
        const name = `Anna ${scheme}${host}${topLevel}`;
        assert.equal(containsWebAddress(name), true);
        assert.equal(validateSignature({ fullName: name, email: "a@example.org", acceptPrivacy: "on" }).ok, false);
      }),
    );
    for (const name of ["J. R. R. Tolkien", "Dr. med. Anna Müller", "Jean-Luc Moreau", "Mary O'Brien-Smith", "St. John", "Айгерім Бекова", "Ali b. Hassan"]) {
      assert.equal(containsWebAddress(name), false, name);
    }
  });
});

describe("validation of the sign form", () => {
  test("never throws, and what it accepts is clean and within every limit", () => {
    const field = fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: "binary", maxLength: 300 }), fc.constant(undefined), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.record({ fullName: field, email: fc.oneof(field, fc.emailAddress()), role: field, country: field, city: field, comment: field, showPublicly: field, wantsUpdates: field, acceptPrivacy: fc.constantFrom("on", undefined, "x") }),
        (raw) => {
          const validated = validateSignature(raw);
          if (!validated.ok) return;
          const { fullName, email, role, city, comment } = validated.input;
          // eslint-disable-next-line no-control-regex -- the point is that none are left
          const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
          for (const value of [fullName, email, role, city, comment]) assert.ok(value === null || !controls.test(value));
          assert.ok(fullName.length <= signatureLimits.fullName && hasVisibleLetter(fullName));
          assert.ok((comment ?? "").length <= signatureLimits.comment);
          assert.ok(email.includes("@"));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
