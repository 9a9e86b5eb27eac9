import type { SiteOperator } from "~/domain/site";

/** The operator's name, postal address and email, as the privacy notice and the imprint show them. */
export function OperatorAddress({ operator }: { operator: SiteOperator }) {
  return (
    <address className="operator-address">
      <strong>{operator.name}</strong>
      {/* The address usually starts with the name again; it is shown once. */}
      {operator.addressLines
        .filter((line, index) => !(index === 0 && line === operator.name))
        .map((line, index) => (
          <span key={index}>{line}</span>
        ))}
      <a href={`mailto:${operator.email}`}>{operator.email}</a>
    </address>
  );
}
