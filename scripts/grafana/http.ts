/** How the sync signs in to Grafana: a server admin's user and password, or a token. */
export type GrafanaAuth =
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'token'; token: string };

export interface GrafanaRequest {
  /** The organisation the request acts in (X-Grafana-Org-Id); absent: the caller's current one. */
  org?: number;
  body?: unknown;
  /** Statuses that are answers, not errors (404 for "does not exist yet"). */
  expect?: readonly number[];
}

export interface GrafanaAnswer {
  status: number;
  body: unknown;
}

/** A refusal from Grafana, with the request it answered. */
export class GrafanaError extends Error {
  readonly status: number;

  constructor(method: string, path: string, org: number | undefined, status: number, body: unknown) {
    const detail =
      typeof body === 'object' && body !== null && 'message' in body
        ? String(body.message)
        : JSON.stringify(body);
    super(
      `Grafana answered ${method} ${path}${org === undefined ? '' : ` (org ${org})`} with ${status}: ${detail}`,
    );
    this.name = 'GrafanaError';
    this.status = status;
  }
}

/** JSON over HTTP to one Grafana, every request signed in, each in the organisation it names. */
export class GrafanaHttp {
  private readonly base: string;
  private readonly authorization: string;

  constructor(url: string, auth: GrafanaAuth) {
    this.base = url.replace(/\/+$/, '');
    this.authorization =
      auth.kind === 'basic'
        ? `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`
        : `Bearer ${auth.token}`;
  }

  async request(method: string, path: string, options: GrafanaRequest = {}): Promise<GrafanaAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: this.authorization };
    if (options.org !== undefined) headers['x-grafana-org-id'] = String(options.org);
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new Error(
        `Grafana at ${this.base} did not answer ${method} ${path}: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): keep the text for the error message.
    }
    if (!response.ok && !(options.expect ?? []).includes(response.status))
      throw new GrafanaError(method, path, options.org, response.status, body);
    return { status: response.status, body };
  }
}
