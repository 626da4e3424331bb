/**
 * The Czech company and public-body identifier (IČO): 8 digits, the last a check digit of the first
 * seven with weights 8 to 2 — the remainder r of the weighted sum by 11 gives (11 − r) mod 10 (a
 * remainder of 0 gives 1, of 1 gives 0). Shorter numbers of old registrations are written with
 * leading zeros.
 */
export function isValidIco(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const digits = [...text].map(Number);
  const sum = digits.slice(0, 7).reduce((total, digit, i) => total + digit * (8 - i), 0);
  return (11 - (sum % 11)) % 10 === digits[7];
}

/** The IRI of a public body (orgán veřejné moci) in the register of rights and obligations (RPP), by its IČO. */
export const publicBodyIri = (ico: string) =>
  `https://rpp-opendata.egon.gov.cz/odrpp/zdroj/orgán-veřejné-moci/${ico}`;
