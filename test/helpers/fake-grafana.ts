import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Grafana (which cannot be installed here) on a loopback port: the endpoints the
 * sync calls, answering with the statuses and bodies of Grafana's HTTP API documentation, the
 * organisation of a request chosen by X-Grafana-Org-Id, server-admin endpoints for basic
 * authentication of the admin only (a service-account token is confined to organisation 1). Every
 * request is recorded.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  org: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

interface StoredDatasource {
  id: number;
  view: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface FakeOrg {
  id: number;
  name: string;
  members: Map<string, string>;
  datasources: Map<string, StoredDatasource>;
  folders: Map<string, { id: number; uid: string; title: string }>;
  dashboards: Map<string, { dashboard: Record<string, unknown>; folderUid: string; version: number }>;
}

interface Call {
  req: IncomingMessage;
  url: URL;
  body: Record<string, unknown>;
  who: Identity;
  params: string[];
}

type Identity = { login: string; serverAdmin: true } | { login: undefined; serverAdmin: false };

class Answer extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`${status}`);
    this.status = status;
    this.body = body;
  }
}

const refuse = (status: number, message: string) => new Answer(status, { message });

export class FakeGrafana {
  readonly requests: RecordedRequest[] = [];
  readonly orgs = new Map<number, FakeOrg>();
  private readonly admin: { login: string; password: string };
  private readonly serviceToken: string;
  private readonly server: Server;
  private nextId = 1;
  url = '';

  constructor(options: { login: string; password: string; serviceToken: string }) {
    this.admin = { login: options.login, password: options.password };
    this.serviceToken = options.serviceToken;
    this.addOrg('Main Org.', { adminMember: true });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }

  /** An organisation made by someone else: the admin is a member only if `adminMember`. */
  addOrg(name: string, options: { adminMember: boolean }): FakeOrg {
    const org: FakeOrg = {
      id: this.nextId++,
      name,
      members: new Map(options.adminMember ? [[this.admin.login, 'Admin']] : []),
      datasources: new Map(),
      folders: new Map(),
      dashboards: new Map(),
    };
    this.orgs.set(org.id, org);
    return org;
  }

  orgNamed(name: string): FakeOrg | undefined {
    return [...this.orgs.values()].find((o) => o.name === name);
  }

  /** Requests that change something. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private identity(req: IncomingMessage): Identity {
    const header = req.headers.authorization ?? '';
    const basic = /^Basic (.+)$/.exec(header);
    if (basic) {
      const [login, password] = Buffer.from(basic[1] as string, 'base64')
        .toString()
        .split(':');
      if (login === this.admin.login && password === this.admin.password) return { login, serverAdmin: true };
      throw refuse(401, 'Invalid username or password');
    }
    if (header === `Bearer ${this.serviceToken}`) return { login: undefined, serverAdmin: false };
    throw refuse(401, 'Unauthorized');
  }

  /** The organisation of the request (X-Grafana-Org-Id, else 1), where the caller must have a role. */
  private orgOf(req: IncomingMessage, who: Identity): FakeOrg {
    const id = Number(req.headers['x-grafana-org-id'] ?? 1);
    const org = this.orgs.get(id);
    const member = who.login === undefined ? id === 1 : org?.members.has(who.login);
    if (org === undefined || !member) throw refuse(401, 'User not a member of organization');
    return org;
  }

  private serverAdminOnly(who: Identity): void {
    if (!who.serverAdmin) throw refuse(403, 'Permission denied');
  }

  private orgById(id: string | undefined): FakeOrg {
    const org = this.orgs.get(Number(id));
    if (org === undefined) throw refuse(404, 'Organization not found');
    return org;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const url = new URL(req.url ?? '/', 'http://grafana');
    const org = req.headers['x-grafana-org-id'];
    this.requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      org: Array.isArray(org) ? org[0] : org,
      authorization: req.headers.authorization,
      body,
    });
    let status = 200;
    let answer: unknown;
    try {
      answer = this.route(req, url, (body ?? {}) as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof Answer)) throw error;
      status = error.status;
      answer = error.body;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  /** Each endpoint: method, path pattern (its groups are the parameters) and what it does. */
  private readonly routes: [string, RegExp, (call: Call) => unknown][] = [
    ['GET', /^\/api\/orgs$/, (c) => this.listOrgs(c)],
    ['POST', /^\/api\/orgs$/, (c) => this.createOrg(c)],
    ['PUT', /^\/api\/orgs\/(\d+)$/, (c) => this.renameOrg(c)],
    ['DELETE', /^\/api\/orgs\/(\d+)$/, (c) => this.deleteOrg(c)],
    ['GET', /^\/api\/orgs\/(\d+)\/users$/, (c) => this.members(c)],
    ['POST', /^\/api\/orgs\/(\d+)\/users$/, (c) => this.addMember(c)],
    ['GET', /^\/api\/datasources\/uid\/([^/]+)$/, (c) => this.datasource(c)],
    ['PUT', /^\/api\/datasources\/uid\/([^/]+)$/, (c) => this.updateDatasource(c)],
    ['POST', /^\/api\/datasources$/, (c) => this.createDatasource(c)],
    ['GET', /^\/api\/folders\/([^/]+)$/, (c) => this.folder(c)],
    ['POST', /^\/api\/folders$/, (c) => this.createFolder(c)],
    ['GET', /^\/api\/dashboards\/uid\/([^/]+)$/, (c) => this.dashboard(c)],
    ['POST', /^\/api\/dashboards\/db$/, (c) => this.saveDashboard(c)],
  ];

  private route(req: IncomingMessage, url: URL, body: Record<string, unknown>): unknown {
    const who = this.identity(req);
    for (const [method, pattern, handler] of this.routes) {
      const match = pattern.exec(url.pathname);
      if (method === req.method && match)
        return handler({ req, url, body, who, params: match.slice(1).map(decodeURIComponent) });
    }
    throw refuse(404, 'Not found');
  }

  private listOrgs({ who, url }: Call): unknown {
    this.serverAdminOnly(who);
    const perPage = Number(url.searchParams.get('perpage') ?? 1000);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    return [...this.orgs.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice((page - 1) * perPage, page * perPage)
      .map(({ id, name }) => ({ id, name }));
  }

  private createOrg({ who, body }: Call): unknown {
    this.serverAdminOnly(who);
    if (this.orgNamed(String(body.name))) throw refuse(409, 'Organization name taken');
    return {
      message: 'Organization created',
      orgId: this.addOrg(String(body.name), { adminMember: true }).id,
    };
  }

  private renameOrg({ who, body, params }: Call): unknown {
    this.serverAdminOnly(who);
    const target = this.orgById(params[0]);
    const taken = this.orgNamed(String(body.name));
    if (taken && taken.id !== target.id) throw refuse(409, 'Organization name taken');
    target.name = String(body.name);
    return { message: 'Organization updated' };
  }

  private deleteOrg({ who, params }: Call): unknown {
    this.serverAdminOnly(who);
    this.orgs.delete(this.orgById(params[0]).id);
    return { message: 'Organization deleted' };
  }

  private members({ who, params }: Call): unknown {
    this.serverAdminOnly(who);
    const target = this.orgById(params[0]);
    return [...target.members].map(([login, role], i) => ({
      orgId: target.id,
      userId: i + 1,
      login,
      email: `${login}@example.org`,
      role,
    }));
  }

  private addMember({ who, body, params }: Call): unknown {
    this.serverAdminOnly(who);
    const target = this.orgById(params[0]);
    if (body.loginOrEmail !== this.admin.login) throw refuse(404, 'User not found');
    if (target.members.has(this.admin.login))
      throw refuse(409, 'User is already member of this organization');
    target.members.set(this.admin.login, String(body.role));
    return { message: 'User added to organization', userId: 1 };
  }

  private storedDatasource(call: Call): { org: FakeOrg; stored: StoredDatasource } {
    const org = this.orgOf(call.req, call.who);
    const stored = org.datasources.get(call.params[0] as string);
    if (stored === undefined) throw refuse(404, 'Data source not found');
    return { org, stored };
  }

  private datasource(call: Call): unknown {
    return this.storedDatasource(call).stored.view;
  }

  private updateDatasource(call: Call): unknown {
    const { org, stored } = this.storedDatasource(call);
    if (call.body.uid !== call.params[0])
      throw refuse(400, 'the uid in the body does not match the uid in the URL');
    return this.storeDatasource(org, call.body, stored.id, 'Datasource updated', stored.secrets);
  }

  private createDatasource(call: Call): unknown {
    const org = this.orgOf(call.req, call.who);
    const { name, uid } = call.body;
    if ([...org.datasources.values()].some((d) => d.view.name === name || d.view.uid === uid))
      throw refuse(409, 'data source with the same name already exists');
    return this.storeDatasource(org, call.body, this.nextId++, 'Datasource added', {});
  }

  private folder(call: Call): unknown {
    const folder = this.orgOf(call.req, call.who).folders.get(call.params[0] as string);
    if (folder === undefined) throw refuse(404, 'folder not found');
    return folder;
  }

  private createFolder(call: Call): unknown {
    const org = this.orgOf(call.req, call.who);
    const uid = String(call.body.uid);
    if (org.folders.has(uid)) throw refuse(409, 'a folder with the same uid already exists');
    const folder = { id: this.nextId++, uid, title: String(call.body.title) };
    org.folders.set(uid, folder);
    return folder;
  }

  private dashboard(call: Call): unknown {
    const held = this.orgOf(call.req, call.who).dashboards.get(call.params[0] as string);
    if (held === undefined) throw refuse(404, 'Dashboard not found');
    return { dashboard: held.dashboard, meta: { folderUid: held.folderUid, version: held.version } };
  }

  private saveDashboard(call: Call): unknown {
    const org = this.orgOf(call.req, call.who);
    const dashboard = call.body.dashboard as Record<string, unknown>;
    const uid = String(dashboard.uid);
    const folderUid = String(call.body.folderUid);
    if (!org.folders.has(folderUid)) throw refuse(400, 'folder not found');
    const held = org.dashboards.get(uid);
    if (held && call.body.overwrite !== true)
      throw new Answer(412, { status: 'name-exists', message: 'exists' });
    const version = (held?.version ?? 0) + 1;
    const id = (held?.dashboard.id as number | undefined) ?? this.nextId++;
    org.dashboards.set(uid, { dashboard: { ...dashboard, id, uid, version }, folderUid, version });
    return { id, uid, url: `/d/${uid}`, status: 'success', version, slug: uid };
  }

  private storeDatasource(
    org: FakeOrg,
    body: Record<string, unknown>,
    id: number,
    message: string,
    previous: Record<string, string>,
  ): unknown {
    const { secureJsonData, ...view } = body as Record<string, unknown> & {
      secureJsonData?: Record<string, string>;
    };
    const secrets = { ...previous, ...(secureJsonData ?? {}) };
    const stored = {
      id,
      secrets,
      view: {
        ...view,
        id,
        orgId: org.id,
        jsonData: view.jsonData ?? {},
        secureJsonFields: Object.fromEntries(Object.keys(secrets).map((k) => [k, true])),
      },
    };
    org.datasources.set(String(body.uid), stored);
    return { datasource: stored.view, id, message, name: view.name };
  }
}
