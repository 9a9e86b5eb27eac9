import type { PublicSigner } from "~/domain/signers";
import { useT } from "~/i18n/react";

export function SignerList({ signers }: { signers: PublicSigner[] }) {
  const { t, date, countryName } = useT();
  return (
    <ol className="signers" data-testid="signer-list">
      {signers.map((signer) => {
        const place = [signer.city, signer.country ? countryName(signer.country) : null].filter(Boolean).join(", ");
        return (
          <li key={signer.id}>
            <span className="name">{signer.fullName}</span>
            {signer.role ? <span className="role">, {signer.role}</span> : null}
            {place ? <div className="where">{place}</div> : null}
            {signer.comment ? <blockquote>{signer.comment}</blockquote> : null}
            <div className="when">{t("signers.signedOn", { date: date(signer.confirmedAt) })}</div>
          </li>
        );
      })}
    </ol>
  );
}
