import { defaultOwner, type Owner } from '../cloud/access/owner.ts';
import { tenantId } from '../shared/ids.ts';

/** Whose a gateway, token or user is, from `--tenant <id>`, or `--region [--grants a,b]`. */
export function ownerFrom(options: {
  tenant?: string | undefined;
  region?: boolean | undefined;
  grants?: string | undefined;
}): Owner {
  if (options.region && options.tenant) throw new Error('--region and --tenant exclude each other');
  if (options.region) {
    const grants = (options.grants ?? '').split(',').filter((g) => g !== '');
    for (const grant of grants) {
      const parsed = tenantId.safeParse(grant);
      if (!parsed.success) throw new Error(`--grants: ${grant}: ${parsed.error.issues[0]?.message}`);
    }
    return { tenant: null, grants };
  }
  if (options.grants) throw new Error('--grants is for region accounts (--region)');
  if (options.tenant === undefined) return defaultOwner;
  const parsed = tenantId.safeParse(options.tenant);
  if (!parsed.success) throw new Error(`--tenant: ${parsed.error.issues[0]?.message}`);
  return { tenant: parsed.data, grants: [] };
}
