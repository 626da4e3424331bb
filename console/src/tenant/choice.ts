/**
 * Which town a region account's console shows: the first of `preferred` it may see (the one the
 * address names, so that a link opens the same town; then the one this tab shows; then the one this
 * browser last showed), else the first it may see. Pure, so it is tested with plain values; the
 * browser's storage is at the edge (`rememberedTenant`, `rememberTenant`).
 */
export function chooseTenant(
  available: readonly string[],
  preferred: readonly (string | undefined)[],
): string | undefined {
  return preferred.find((id) => id !== undefined && available.includes(id)) ?? available[0];
}

/** The console's address (path, query, fragment) with `tenant=` set to the town, the rest kept. */
export function withTenant(address: string, tenant: string): string {
  const url = new URL(address, 'http://console');
  url.searchParams.set('tenant', tenant);
  return `${url.pathname}${url.search}${url.hash}`;
}

const storageKey = 'console.tenant';

export function rememberedTenant(): string | undefined {
  return localStorage.getItem(storageKey) ?? undefined;
}

export function rememberTenant(tenant: string): void {
  localStorage.setItem(storageKey, tenant);
}
