import type { components, paths } from './schema.d.ts';

/**
 * Names for the API's answers, as the generated `schema.d.ts` (from the OpenAPI document, from the
 * routes' zod schemas) gives them: the pages import these names, never a hand-written shape.
 */
type Schemas = components['schemas'];

export type Session = Schemas['Session'];
export type User = Schemas['User'];
export type Role = User['role'];
export type Device = Schemas['DeviceWithAlerts'];
export type ListedDevice = Schemas['ListedDevice'];
export type Kind = Device['kind'];
export type MapState = Device['state'];
export type Alert = Schemas['Alert'];
export type AlertWithHistory = Schemas['AlertWithHistory'];
export type Severity = Alert['severity'];
export type AlertState = Alert['state'];
export type AlertEvent = Schemas['AlertEvent'];
export type AlertTransition = AlertEvent['transition'];
export type Command = Schemas['CommandRecord'];
export type CommandStatus = Command['status'];
export type Gateway = Schemas['GatewayRecord'];
export type GatewayConfig = Schemas['GatewayConfig'];
export type GatewayConfigState = Schemas['GatewayConfigState'];
/** What PUT /gateways/{id}/config takes (the server adds `v` and `version`). */
export type GatewayConfigInput =
  paths['/api/v1/gateways/{id}/config']['put']['requestBody']['content']['application/json'];
export type SeriesAnswer = Schemas['DeviceSeries'];
/** A rule as GET /rules returns it; PUT takes it back unchanged. */
export type Rule = Schemas['RuleOutput'];
/** A rule as POST and PUT take it. */
export type RuleInput = Schemas['Rule'];
export type RuleCondition = Schemas['RuleCondition'];
export type DryRun = Schemas['DryRunResult'];
export type MapSettings = Schemas['MapSettings'];
export type MapClusters = Schemas['MapClusters'];
export type MapDistricts = Schemas['MapDistricts'];
export type CoverageCells = Schemas['CoverageCells'];
export type CoverageClass = CoverageCells['features'][number]['properties']['class'];
export type Collection = Schemas['CollectionRound'];
export type Summary = Schemas['FleetSummary'];
export type Problem = Schemas['Problem'];
export type Tenant = Schemas['Tenant'];
export type TenantQuotas = Schemas['TenantQuotas'];
export type NewTenant = Schemas['NewTenant'];
export type TenantChange = Schemas['TenantChange'];
export type TenantUsage = Schemas['TenantUsage'];
export type RegionAlert = Schemas['RegionAlert'];
export type OpenDataset = Schemas['OpenDataset'];
export type CatalogueSettings = Schemas['OpenDataCatalogueSettings'];
export type CatalogueSettingsAnswer = Schemas['OpenDataCatalogueSettingsAnswer'];
export type OpenDatasetPreview = Schemas['OpenDatasetPreview'];

export const finalCommandStatuses: readonly CommandStatus[] = ['succeeded', 'failed', 'rejected', 'expired'];
