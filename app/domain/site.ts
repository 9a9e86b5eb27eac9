/**
 * Who runs this site and how long it keeps network addresses: what the privacy notice and the
 * imprint are written from. Set by the operator (OPERATOR_* settings, config.server.ts); outside
 * production, placeholders name the setting to fill in.
 */
export type SiteOperator = {
  name: string;
  /** The postal address, one line each. */
  addressLines: string[];
  email: string;
  /** Registration number and register or court, when the operator has one. */
  register: string | null;
  /** The person who represents the operator, when named. */
  representative: string | null;
};

export type SiteSettings = {
  operator: SiteOperator;
  /** Where to write about personal data; the operator's email unless set apart. */
  privacyContactEmail: string;
  /** The data protection authority responsible for the operator, when the operator names one. */
  supervisoryAuthority: string | null;
  /** Network addresses and browser identifications are erased this many days after signing. */
  networkAddressRetentionDays: number;
};
