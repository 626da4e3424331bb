import { z } from 'zod';
import type { GrafanaHttp } from './http.ts';

/**
 * The few endpoints of Grafana's HTTP API the sync calls, each answer checked against the shape the
 * Grafana documentation gives (docs/sources/developers/http_api: org.md, data_source.md, folder.md,
 * dashboard.md). The admin organisation endpoints (/api/orgs…) need a Grafana server admin.
 */

export const org = z.object({ id: z.number().int(), name: z.string() });
export type Org = z.infer<typeof org>;

const orgMember = z.object({ login: z.string(), email: z.string().optional() });

export const datasource = z.object({
  uid: z.string(),
  name: z.string(),
  type: z.string(),
  access: z.string(),
  url: z.string(),
  isDefault: z.boolean(),
  jsonData: z.record(z.string(), z.unknown()).default({}),
  /** Which secrets are set; Grafana never returns their values. */
  secureJsonFields: z.record(z.string(), z.boolean()).default({}),
});
export type Datasource = z.infer<typeof datasource>;

/** What the sync writes: a datasource with its secrets. */
export interface DatasourceSpec {
  uid: string;
  name: string;
  type: string;
  access: string;
  url: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

const storedDashboard = z.object({
  dashboard: z.record(z.string(), z.unknown()),
  meta: z.object({ folderUid: z.string().optional() }),
});
export type StoredDashboard = z.infer<typeof storedDashboard>;

/** `body` as `schema` says, or an error naming the request it answered. */
function parsed<T>(schema: z.ZodType<T>, body: unknown, request: string): T {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new Error(`Grafana's answer to ${request} is not as documented: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Page size of GET /api/orgs (its maximum and default is 1000). */
const ORGS_PER_PAGE = 1000;

export class GrafanaApi {
  private readonly http: GrafanaHttp;

  constructor(http: GrafanaHttp) {
    this.http = http;
  }

  async listOrgs(): Promise<Org[]> {
    const all: Org[] = [];
    for (let page = 1; ; page++) {
      const path = `/api/orgs?perpage=${ORGS_PER_PAGE}&page=${page}`;
      const orgs = parsed(z.array(org), (await this.http.request('GET', path)).body, `GET ${path}`);
      all.push(...orgs);
      if (orgs.length < ORGS_PER_PAGE) return all;
    }
  }

  /** The new organisation's id; Grafana makes its creator an Admin of it. */
  async createOrg(name: string): Promise<number> {
    const { body } = await this.http.request('POST', '/api/orgs', { body: { name } });
    return parsed(z.object({ orgId: z.coerce.number().int() }), body, 'POST /api/orgs').orgId;
  }

  async renameOrg(id: number, name: string): Promise<void> {
    await this.http.request('PUT', `/api/orgs/${id}`, { body: { name } });
  }

  async deleteOrg(id: number): Promise<void> {
    await this.http.request('DELETE', `/api/orgs/${id}`);
  }

  async orgMembers(id: number): Promise<z.infer<typeof orgMember>[]> {
    const { body } = await this.http.request('GET', `/api/orgs/${id}/users`);
    return parsed(z.array(orgMember), body, `GET /api/orgs/${id}/users`);
  }

  async addOrgAdmin(id: number, loginOrEmail: string): Promise<void> {
    await this.http.request('POST', `/api/orgs/${id}/users`, { body: { loginOrEmail, role: 'Admin' } });
  }

  /**
   * The datasource `uid` of organisation `orgId`, or undefined when it has none. An organisation the
   * caller is not a member of answers 401 or 403 to X-Grafana-Org-Id: undefined too (not ours).
   */
  async datasource(orgId: number, uid: string): Promise<Datasource | undefined> {
    const answer = await this.http.request('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`, {
      org: orgId,
      expect: [401, 403, 404],
    });
    if (answer.status !== 200) return undefined;
    return parsed(datasource, answer.body, `GET /api/datasources/uid/${uid} (org ${orgId})`);
  }

  async createDatasource(orgId: number, spec: DatasourceSpec): Promise<void> {
    await this.http.request('POST', '/api/datasources', { org: orgId, body: spec });
  }

  /** PUT by uid: the payload's uid must be the URL's (Grafana 12.3 answers 400 otherwise). */
  async updateDatasource(orgId: number, spec: DatasourceSpec): Promise<void> {
    await this.http.request('PUT', `/api/datasources/uid/${encodeURIComponent(spec.uid)}`, {
      org: orgId,
      body: spec,
    });
  }

  async folderExists(orgId: number, uid: string): Promise<boolean> {
    const answer = await this.http.request('GET', `/api/folders/${encodeURIComponent(uid)}`, {
      org: orgId,
      expect: [404],
    });
    return answer.status === 200;
  }

  async createFolder(orgId: number, folder: { uid: string; title: string }): Promise<void> {
    await this.http.request('POST', '/api/folders', { org: orgId, body: folder });
  }

  async dashboard(orgId: number, uid: string): Promise<StoredDashboard | undefined> {
    const answer = await this.http.request('GET', `/api/dashboards/uid/${encodeURIComponent(uid)}`, {
      org: orgId,
      expect: [404],
    });
    if (answer.status !== 200) return undefined;
    return parsed(storedDashboard, answer.body, `GET /api/dashboards/uid/${uid} (org ${orgId})`);
  }

  /** Creates or replaces the dashboard with its uid (a new version in Grafana's history). */
  async saveDashboard(orgId: number, dashboard: Record<string, unknown>, folderUid: string): Promise<void> {
    await this.http.request('POST', '/api/dashboards/db', {
      org: orgId,
      body: {
        dashboard: { ...dashboard, id: null },
        folderUid,
        overwrite: true,
        message: 'npm run grafana:sync',
      },
    });
  }
}
