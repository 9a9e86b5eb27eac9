/** Languages for a select box, each named in the reader's language and in its own ("Kazakh — қазақ тілі"). */
export function languageOptions(locales: readonly string[], readerLocale: string): { value: string; label: string }[] {
  const inReadersLanguage = new Intl.DisplayNames([readerLocale], { type: "language" });
  const collator = new Intl.Collator(readerLocale);
  return locales
    .map((locale) => {
      const name = inReadersLanguage.of(locale) ?? locale;
      const own = new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale;
      return { value: locale, label: own.toLowerCase() === name.toLowerCase() ? name : `${name} — ${own}` };
    })
    .sort((a, b) => collator.compare(a.label, b.label));
}

export function languageName(locale: string, readerLocale: string): string {
  return new Intl.DisplayNames([readerLocale], { type: "language" }).of(locale) ?? locale;
}
