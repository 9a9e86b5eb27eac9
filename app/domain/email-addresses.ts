/**
 * One signer, one signature per appeal, however they spell their address. Mail providers
 * ignore case in practice; almost all deliver `name+anything@` to `name@` (sub-addressing);
 * Gmail also ignores dots in the local part and treats googlemail.com as gmail.com. So
 * `Jane.Doe+x@GMail.com` and `janedoe@gmail.com` are the same person here.
 *
 * Only for recognising duplicates and block-list entries: emails are always sent to the
 * address as the person typed it.
 */
const gmailDomains = new Set(["gmail.com", "googlemail.com"]);

export function canonicalEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return trimmed;
  let local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1).replace(/\.$/, "");
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  if (gmailDomains.has(domain)) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return `${local}@${domain}`;
}

/** The domain of an address, lower-cased ("example.org"); empty when there is none. */
export function emailDomain(email: string): string {
  const canonical = canonicalEmail(email);
  return canonical.slice(canonical.lastIndexOf("@") + 1);
}
