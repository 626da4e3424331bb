import { defaultTenantId } from '../../shared/ids.ts';
import { defaultAlertTopic } from '../notifications/mqtt.ts';

/** The topics under which a tenant's MQTT notification channels publish: `city/v1/tenants/<id>/`. */
export function tenantTopicPrefix(tenant: string): string {
  return `city/v1/tenants/${tenant}/`;
}

/** A tenant's default alert topic; the default tenant keeps the single-city topic city/v1/alerts. */
export function tenantAlertTopic(tenant: string): string {
  return tenant === defaultTenantId ? defaultAlertTopic : `${tenantTopicPrefix(tenant)}alerts`;
}

/**
 * Whether a tenant's notification channel may publish on `topic`: under its own prefix; the default
 * tenant also on the single-city topics outside every tenant's (city/v1/alerts and what it configured).
 */
export function tenantMayPublish(tenant: string, topic: string): boolean {
  if (topic.startsWith(tenantTopicPrefix(tenant))) return true;
  return (
    tenant === defaultTenantId &&
    !topic.startsWith('city/v1/tenants/') &&
    !topic.startsWith('city/v1/gateways/')
  );
}
