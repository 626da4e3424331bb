import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { credentialOf, readCredentials, secretOpens } from '../../cloud/broker/credentials.ts';
import { loadCloudConfig } from '../../cloud/config.ts';
import { loadEdgeConfig } from '../../edge/config.ts';
import { DriverRegistry } from '../../edge/drivers/registry.ts';
import { readFleetFile } from '../../shared/fleet-files.ts';
import { simulatedDriverFactory } from '../../simulators/driver/factory.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * No Docker engine runs on the development machines, so docker-compose.yml, the Dockerfile and
 * .env.example are checked by reading them: every file they name exists, every variable is
 * defined, ports do not collide, and the edge agents, their configuration files, the fleet file
 * and the provisioned credentials agree with one another.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
/** Whether the credentials file at `path` lets gateway `id` in with `secret`. */
const opens = async (path: string, id: string, secret: string) =>
  secretOpens(credentialOf(await readCredentials(path), id), secret);
const repo = (...parts: string[]) => join(root, ...parts);

const environment = z
  .union([
    z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    z.array(z.string()),
  ])
  .transform((env) =>
    Array.isArray(env)
      ? Object.fromEntries(env.map((line) => [line.split('=')[0] ?? '', line.split('=').slice(1).join('=')]))
      : Object.fromEntries(
          Object.entries(env).map(([key, value]) => [key, value === null ? '' : `${value}`]),
        ),
  );
const stringOrList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const service = z.looseObject({
  image: z.string().optional(),
  build: z
    .union([z.string(), z.looseObject({ context: z.string(), dockerfile: z.string().optional() })])
    .optional(),
  command: stringOrList.optional(),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
  environment: environment.optional(),
  env_file: stringOrList.optional(),
  // Short syntax only (source:target[:mode]), which keeps this test's reading of it simple.
  volumes: z.array(z.string()).optional(),
  ports: z.array(z.union([z.string(), z.number()])).optional(),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(
        z.string(),
        z.object({
          condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
        }),
      ),
    ])
    .optional(),
  healthcheck: z.looseObject({ test: stringOrList }).optional(),
});
type Service = z.infer<typeof service>;
const composeFile = z.looseObject({
  services: z.record(z.string(), service),
  volumes: z.record(z.string(), z.unknown().nullable()).optional(),
});

const composeText = readFileSync(repo('docker-compose.yml'), 'utf8');
const compose = composeFile.parse(parse(composeText));
const services = Object.entries(compose.services);
const namedVolumes = Object.keys(compose.volumes ?? {});

/** .env.example as KEY -> value, in the dotenv syntax compose reads (no quoting used here). */
const envExample = new Map(
  readFileSync(repo('.env.example'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }),
);

/** `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `${VAR+alt}` and `$VAR`; `$$` is a literal `$`. */
const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function variablesIn(value: string): string[] {
  return [...value.matchAll(reference)].flatMap((m) => {
    const name = m[1] ?? m[4];
    return name ? [name] : [];
  });
}

/** Compose's interpolation of one value against the variables of `env`. */
function interpolate(value: string, env: Map<string, string>): string {
  return value.replace(reference, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = env.get(name);
    const unsetOrEmpty = current === undefined || (op?.startsWith(':') && current === '');
    switch (op) {
      case ':-':
      case '-':
        return unsetOrEmpty ? (arg ?? '') : (current ?? '');
      case ':+':
      case '+':
        return unsetOrEmpty ? '' : (arg ?? '');
      case ':?':
      case '?':
        if (unsetOrEmpty) throw new Error(`${name}: ${arg}`);
        return current ?? '';
      default:
        return current ?? '';
    }
  });
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** The .env variable a value is taken from, when it is exactly one `${VAR...}`. */
function envVariableOf(value: string | undefined): string | undefined {
  const match = value?.match(/^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}$/);
  return match?.[1];
}

function env(name: string, svc: Service): Record<string, string> {
  expect(svc.environment, `${name} has an environment`).toBeDefined();
  return svc.environment ?? {};
}

function resolvedEnv(svc: Service): Record<string, string> {
  return Object.fromEntries(
    Object.entries(svc.environment ?? {}).map(([key, value]) => [key, interpolate(value, envExample)]),
  );
}

function mounts(svc: Service): { source: string; target: string; readOnly: boolean }[] {
  return (svc.volumes ?? []).map((entry) => {
    const [source = '', target = '', mode = ''] = entry.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

const isHostPath = (source: string) => source.startsWith('.') || source.startsWith('/');

function serviceNamed(name: string): Service {
  const svc = compose.services[name];
  if (!svc) throw new Error(`docker-compose.yml has no service ${name}`);
  return svc;
}

function dependsOn(svc: Service): Record<string, string> {
  const deps = svc.depends_on ?? {};
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(deps).map(([d, { condition }]) => [d, condition]));
}

const commandOf = (svc: Service) => (svc.command ?? []).join(' ');
const builtFromDockerfile = (svc: Service) => svc.build !== undefined;

// The Dockerfile: stage instructions, with continuation lines joined.
const dockerfile = readFileSync(repo('Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const instructions = (keyword: string) =>
  dockerfile
    .filter((line) => line.toUpperCase().startsWith(`${keyword} `))
    .map((line) => line.slice(keyword.length + 1).trim());
const workdir = instructions('WORKDIR').at(-1) ?? '/';
/** COPY sources relative to the build context (the repository root), ignoring --flags and copies from a stage. */
const copySources = instructions('COPY')
  .filter((args) => !args.startsWith('--from='))
  .flatMap((args) => {
    const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
    return words.slice(0, -1);
  });
const copiedTop = new Set(copySources.map((source) => source.replace(/^\.\//, '').split('/')[0]));

/** A path inside the platform image (`/app/...`) back to the repository, checking it was copied. */
function repoPathOfImagePath(imagePath: string): string {
  const rel = posix.relative(workdir, imagePath);
  expect(rel.startsWith('..'), `${imagePath} is under WORKDIR ${workdir}`).toBe(false);
  expect(copiedTop.has(rel.split('/')[0]), `${imagePath}: the Dockerfile copies ${rel.split('/')[0]}`).toBe(
    true,
  );
  return repo(rel);
}

// The edge agents: the services that run the compiled agent (in dist/, built in the image).
const edges = services.filter(([, svc]) => /\bdist\//.test(commandOf(svc)));
const edgeScript: string = JSON.parse(readFileSync(repo('package.json'), 'utf8')).scripts.edge;
const provision = serviceNamed('provision');
const cloud = serviceNamed('cloud');

describe('docker-compose.yml', () => {
  it('has the services of the deployment, the platform ones built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'cloud',
        'edge-1',
        'edge-2',
        'grafana',
        'grafana-sync',
        'influxdb',
        'provision',
        // Cluster mode (--profile cluster), checked in compose-cluster.test.ts.
        'nats',
        'postgres',
        'haproxy',
        'node-1',
        'node-2',
        'worker-1',
        'worker-2',
      ].sort(),
    );
    expect(serviceNamed('influxdb').image).toMatch(/^influxdb:2\.7(\.\d+)?$/);
    expect(serviceNamed('grafana').image).toMatch(/^grafana\/grafana:1\d(\.\d+)*$/);
    for (const name of [
      'cloud',
      'provision',
      'grafana-sync',
      'edge-1',
      'edge-2',
      'node-1',
      'node-2',
      'worker-1',
      'worker-2',
    ]) {
      const svc = serviceNamed(name);
      expect(builtFromDockerfile(svc), `${name} is built from the Dockerfile`).toBe(true);
      expect(svc.image, `${name} shares the platform image`).toBe(cloud.image);
    }
    expect(cloud.command).toEqual(['node', 'cloud/main.ts']);
    // The agents run exactly as `npm run edge` runs one (and as the benchmark measures it).
    for (const [name, svc] of edges) expect(commandOf(svc), name).toBe(edgeScript);
  });

  it('names only files that exist: bind mounts, env files, build contexts and node entry points', () => {
    for (const [name, svc] of services) {
      for (const { source } of mounts(svc)) {
        if (isHostPath(source)) expect(existsSync(resolve(root, source)), `${name}: ${source}`).toBe(true);
        else expect(namedVolumes, `${name}: volume ${source} is declared`).toContain(source);
      }
      for (const file of svc.env_file ?? [])
        expect(existsSync(resolve(root, file)), `${name}: env_file ${file}`).toBe(true);
      if (svc.build !== undefined) {
        const context = typeof svc.build === 'string' ? svc.build : svc.build.context;
        const file = typeof svc.build === 'string' ? 'Dockerfile' : (svc.build.dockerfile ?? 'Dockerfile');
        expect(existsSync(resolve(root, context, file)), `${name}: ${context}/${file}`).toBe(true);
      }
      // `node some/file.ts` in a command of the platform image: the file exists and is copied.
      for (const [, script] of commandOf(svc).matchAll(/\bnode\s+([\w./-]+\.ts)\b/g)) {
        expect(
          existsSync(repoPathOfImagePath(posix.join(workdir, script as string))),
          `${name}: ${script}`,
        ).toBe(true);
      }
    }
    // Every declared volume is used.
    const used = new Set(services.flatMap(([, svc]) => mounts(svc).map((m) => m.source)));
    for (const volume of namedVolumes) expect(used, `volume ${volume} is used`).toContain(volume);
  });

  it('uses exactly the variables that .env.example defines, which is not committed as .env', () => {
    const used = new Set(strings(compose).flatMap(variablesIn));
    expect([...used].sort()).toEqual([...envExample.keys()].sort());
    // Interpolation succeeds with the example values (no `${VAR:?...}` left unsatisfied).
    for (const value of strings(compose)) expect(() => interpolate(value, envExample)).not.toThrow();
    expect(readFileSync(repo('.gitignore'), 'utf8').split('\n')).toContain('.env');
    // The example holds placeholders, not secrets.
    for (const [key, value] of envExample) {
      if (/PASSWORD|TOKEN|SECRET/.test(key)) expect(value, key).toMatch(/^change-me/);
    }
  });

  it('starts services after existing ones, in a satisfiable order', () => {
    for (const [name, svc] of services) {
      for (const [target, condition] of Object.entries(dependsOn(svc))) {
        const dependency = serviceNamed(target);
        if (condition === 'service_healthy')
          expect(dependency.healthcheck, `${name} waits for ${target} to be healthy`).toBeDefined();
        if (condition === 'service_completed_successfully')
          expect(dependency.restart ?? 'no', `${target} is one-shot`).toBe('no');
      }
    }
    expect(dependsOn(cloud)).toEqual({
      provision: 'service_completed_successfully',
      influxdb: 'service_healthy',
    });
    expect(dependsOn(serviceNamed('grafana'))).toMatchObject({ influxdb: 'service_healthy' });
    for (const [name, svc] of edges) expect(dependsOn(svc), name).toEqual({ cloud: 'service_healthy' });
  });

  it('syncs Grafana for a region with the settings Grafana itself has, only with the region profile', () => {
    const svc = serviceNamed('grafana-sync');
    const sync = resolvedEnv(svc);
    const grafana = resolvedEnv(serviceNamed('grafana'));
    expect(svc.profiles).toEqual(['region']);
    expect(dependsOn(svc)).toEqual({ grafana: 'service_healthy', cloud: 'service_healthy' });
    expect(sync.INFLUX_URL).toBe(grafana.INFLUX_URL);
    expect(sync.INFLUX_DATABASE).toBe(grafana.INFLUX_DATABASE);
    expect([sync.GRAFANA_USER, sync.GRAFANA_PASSWORD]).toEqual([
      grafana.GF_SECURITY_ADMIN_USER,
      grafana.GF_SECURITY_ADMIN_PASSWORD,
    ]);
    expect(new URL(sync.GRAFANA_URL ?? '').host).toBe('grafana:3000');
    expect(new URL(sync.CITY_API_URL ?? '').port).toBe(resolvedEnv(cloud).HTTP_PORT);
  });

  it('has health checks and restart policies', () => {
    for (const name of ['influxdb', 'cloud', 'grafana']) {
      expect(serviceNamed(name).healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
    for (const [name, svc] of services) {
      const oneShot = name === 'provision' || name === 'grafana-sync';
      expect(svc.restart, `${name} restart policy`).toBe(oneShot ? 'no' : 'unless-stopped');
    }
    expect(commandOf(cloud) + JSON.stringify(cloud.healthcheck?.test)).toContain(
      `:${resolvedEnv(cloud).HTTP_PORT}/health`,
    );
  });

  it('publishes each host port once, on the ports the services listen on', () => {
    const seen = new Map<string, string>();
    for (const [name, svc] of services) {
      for (const port of svc.ports ?? []) {
        const spec = interpolate(`${port}`, envExample);
        const [mapping = '', protocol = 'tcp'] = spec.split('/');
        const parts = mapping.split(':');
        if (parts.length < 2) continue; // container port only: Docker picks a free host port
        const host = `${parts.at(-2)}/${protocol}`;
        expect(seen.get(host), `host port ${host} of ${name}`).toBeUndefined();
        seen.set(host, name);
      }
    }
    const cloudEnv = resolvedEnv(cloud);
    const containerPorts = (cloud.ports ?? []).map((p) => `${p}`.split(':').at(-1));
    expect(containerPorts.sort()).toEqual([cloudEnv.HTTP_PORT, cloudEnv.MQTT_PORT].sort());
  });

  it('points the cloud at InfluxDB with the token, org and bucket that InfluxDB is initialised with', () => {
    const influx = env('influxdb', serviceNamed('influxdb'));
    const cloudEnv = env('cloud', cloud);
    expect(cloudEnv.INFLUX_URL).toBe('http://influxdb:8086');
    expect(envVariableOf(cloudEnv.INFLUX_TOKEN)).toBe(envVariableOf(influx.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN));
    expect(envVariableOf(cloudEnv.INFLUX_ORG)).toBe(envVariableOf(influx.DOCKER_INFLUXDB_INIT_ORG));
    expect(envVariableOf(cloudEnv.INFLUX_DATABASE)).toBe(envVariableOf(influx.DOCKER_INFLUXDB_INIT_BUCKET));
    expect(influx.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
    for (const key of ['USERNAME', 'PASSWORD', 'ORG', 'BUCKET', 'RETENTION', 'ADMIN_TOKEN'])
      expect(influx[`DOCKER_INFLUXDB_INIT_${key}`], key).toBeTruthy();
    // The DBRP init script is mounted where the image runs it, and is executable (run-parts).
    const init = mounts(serviceNamed('influxdb')).find((m) =>
      m.target.startsWith('/docker-entrypoint-initdb.d/'),
    );
    expect(init?.target).toMatch(/\.sh$/);
    const script = resolve(root, init?.source ?? '');
    expect(() => accessSync(script, constants.X_OK)).not.toThrow();
    expect(readFileSync(script, 'utf8')).toContain('influx v1 dbrp create');
    // The cloud's configuration (and provision's, which reads it for CREDENTIALS_FILE) validates.
    expect(() => loadCloudConfig(resolvedEnv(cloud))).not.toThrow();
    expect(() => loadCloudConfig(resolvedEnv(provision))).not.toThrow();
    // The cloud's data volume is persistent and is where provision writes the credentials.
    const dataDir = resolvedEnv(cloud).DATA_DIR;
    const cloudVolume = mounts(cloud).find((m) => m.target === dataDir);
    expect(cloudVolume && namedVolumes.includes(cloudVolume.source)).toBe(true);
  });

  describe('edge agents', () => {
    it('are two, with distinct gateways', async () => {
      expect(edges.map(([name]) => name).sort()).toEqual(['edge-1', 'edge-2']);
      const gateways = await Promise.all(edges.map(([name, svc]) => edgeSetup(name, svc)));
      expect(new Set(gateways.map((g) => g.config.gatewayId)).size).toBe(2);
    });

    for (const [name, svc] of edges) {
      it(`${name}: its configuration exists, validates with the env overrides and names a gateway of its fleet file`, async () => {
        const { config, envVars } = await edgeSetup(name, svc);
        expect(config.mqtt.url).toBe(`mqtt://cloud:${resolvedEnv(cloud).MQTT_PORT}`);
        expect(envVars.EDGE_GATEWAY_SECRET, 'the secret comes from .env').toBeDefined();
        expect(config.fleetFile).toBeDefined();
        const fleetPath = repoPathOfImagePath(config.fleetFile as string);
        expect(relative(repo('provisioning', 'fleet'), fleetPath).startsWith('..')).toBe(false);
        const fleet = await readFleetFile(fleetPath);
        expect(fleet.gateways.map((g) => g.id)).toContain(config.gatewayId);
        const devices = fleet.devices.filter((d) => d.gatewayId === config.gatewayId);
        expect(devices.length).toBeGreaterThan(0);
        // Its drivers build as its entry point (scripts/simulated-gateway.ts) builds them, for all its devices.
        const built = new DriverRegistry({ simulated: simulatedDriverFactory }).create(config.drivers, {
          gatewayId: config.gatewayId,
          devices,
          city: fleet.city,
        });
        expect(built.flatMap((b) => b.drivers).reduce((n, d) => n + d.deviceCount, 0)).toBe(devices.length);
        // The outbox lives on this agent's own named volume.
        const volume = mounts(svc).find((m) => m.target === config.dataDir);
        expect(volume, `${name}: dataDir ${config.dataDir} is a mounted volume`).toBeDefined();
        expect(namedVolumes).toContain(volume?.source);
        const sharers = services.filter(([, other]) =>
          mounts(other).some((m) => m.source === volume?.source),
        );
        expect(sharers.map(([n]) => n)).toEqual([name]);
        // The secret is not written in the file.
        const raw = JSON.parse(readFileSync(repoPathOfImagePath(env(name, svc).EDGE_CONFIG ?? ''), 'utf8'));
        expect(raw.mqtt?.password).toBeUndefined();
      });
    }
  });

  it('provisions exactly the edge gateways, each with the secret its agent uses', async () => {
    const provisionEnv = env('provision', provision);
    // `GATEWAY_SECRET="$$VAR" node scripts/provision.ts gateway set <id>`, once per gateway.
    const steps = [
      ...commandOf(provision).matchAll(
        /GATEWAY_SECRET="?\$\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?\s+node\s+scripts\/provision\.ts\s+gateway\s+set\s+(\S+)/g,
      ),
    ].map((m) => ({ variable: m[1] as string, gatewayId: m[2] as string }));
    expect(commandOf(provision).match(/gateway set/g)?.length).toBe(steps.length);
    const edgeGateways = await Promise.all(edges.map(([name, svc]) => edgeSetup(name, svc)));
    expect(steps.map((s) => s.gatewayId).sort()).toEqual(edgeGateways.map((g) => g.config.gatewayId).sort());
    for (const { config, name, envVars } of edgeGateways) {
      const step = steps.find((s) => s.gatewayId === config.gatewayId);
      const dotenvOfProvision = envVariableOf(provisionEnv[step?.variable ?? '']);
      expect(dotenvOfProvision, `${name}: provision and agent share the .env secret`).toBe(
        envVariableOf(envVars.EDGE_GATEWAY_SECRET),
      );
      // The example secrets would be accepted by `gateway set`.
      expect(envExample.get(dotenvOfProvision ?? '')?.length ?? 0).toBeGreaterThanOrEqual(16);
    }
    // provision writes where the cloud reads: the same volume mounted at the same DATA_DIR.
    const provisionData = resolvedEnv(provision).DATA_DIR;
    const cloudData = resolvedEnv(cloud).DATA_DIR;
    expect(provisionData).toBe(cloudData);
    expect(mounts(provision).find((m) => m.target === provisionData)?.source).toBe(
      mounts(cloud).find((m) => m.target === cloudData)?.source,
    );
    expect(provisionEnv.CREDENTIALS_FILE).toBe(env('cloud', cloud).CREDENTIALS_FILE);
  });

  describe('grafana', () => {
    const grafana = serviceNamed('grafana');
    const grafanaMounts = mounts(grafana);
    const mountOf = (target: string) => grafanaMounts.find((m) => m.target === target);

    it('mounts the provisioning folders, which exist', () => {
      for (const kind of ['datasources', 'dashboards']) {
        const mount = mountOf(`/etc/grafana/provisioning/${kind}`);
        expect(mount, `${kind} mounted`).toBeDefined();
        expect(mount?.readOnly, `${kind} read-only`).toBe(true);
        const folder = resolve(root, mount?.source ?? '');
        expect(relative(repo('provisioning', 'grafana'), folder).startsWith('..')).toBe(false);
        expect(existsSync(folder) && statSync(folder).isDirectory(), `${folder} is a folder`).toBe(true);
      }
      const env = resolvedEnv(grafana);
      expect(env.INFLUX_URL).toBe('http://influxdb:8086');
      expect(env.INFLUX_TOKEN).toBe(envExample.get('INFLUX_TOKEN'));
      expect(env.INFLUX_DATABASE).toBe(envExample.get('INFLUX_DATABASE'));
      expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe(envExample.get('GRAFANA_ADMIN_PASSWORD'));
    });

    it('finds every variable its datasources use in its environment', () => {
      const folder = resolve(root, mountOf('/etc/grafana/provisioning/datasources')?.source ?? '');
      const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));
      expect(files.length).toBeGreaterThan(0);
      const defined = Object.keys(grafana.environment ?? {});
      for (const file of files) {
        // Grafana expands $VAR and ${VAR} in provisioning files from its environment.
        const used = strings(parse(readFileSync(join(folder, file), 'utf8'))).flatMap(variablesIn);
        for (const variable of used) expect(defined, `${file}: ${variable}`).toContain(variable);
      }
    });

    it('finds the dashboards JSON where the dashboards provider looks', () => {
      const folder = resolve(root, mountOf('/etc/grafana/provisioning/dashboards')?.source ?? '');
      const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));
      expect(files.length, 'a dashboards provider file').toBeGreaterThan(0);
      const provider = z.object({
        providers: z.array(z.looseObject({ name: z.string(), options: z.looseObject({ path: z.string() }) })),
      });
      for (const file of files) {
        for (const { options } of provider.parse(parse(readFileSync(join(folder, file), 'utf8'))).providers) {
          const json = dashboardsAt(options.path);
          expect(json.length, `${file}: dashboards in ${options.path}`).toBeGreaterThan(0);
          for (const dashboard of json) {
            const parsed = JSON.parse(readFileSync(dashboard, 'utf8'));
            // Grafana loads every *.json under the path as a dashboard: a rule pack there would fail.
            expect(parsed.title, `${dashboard} is a dashboard`).toMatch(/\S/);
          }
        }
      }
    });

    it("mounts every kind's dashboard where a dashboards provider looks", () => {
      const folder = resolve(root, mountOf('/etc/grafana/provisioning/dashboards')?.source ?? '');
      const paths = readdirSync(folder)
        .filter((f) => /\.ya?ml$/.test(f))
        .flatMap(
          (file) =>
            parse(readFileSync(join(folder, file), 'utf8')).providers as { options: { path: string } }[],
        )
        .map((p) => p.options.path);
      const served = paths.flatMap(dashboardsAt);
      const kindsDir = repo('provisioning', 'kinds');
      for (const kind of readdirSync(kindsDir)) {
        const dashboard = join(kindsDir, kind, 'dashboard.json');
        if (existsSync(dashboard)) expect(served, `${kind}'s dashboard mounted`).toContain(dashboard);
      }
    });

    /** The host files Grafana finds as *.json under a container folder: through a folder mount or file by file. */
    function dashboardsAt(path: string): string[] {
      const hostMounts = grafanaMounts.filter((m) => isHostPath(m.source));
      const folderMount = hostMounts.find((m) => path === m.target || path.startsWith(`${m.target}/`));
      if (folderMount) {
        const hostFolder = resolve(root, folderMount.source, posix.relative(folderMount.target, path));
        return existsSync(hostFolder)
          ? readdirSync(hostFolder)
              .filter((f) => f.endsWith('.json'))
              .map((f) => join(hostFolder, f))
          : [];
      }
      return hostMounts
        .filter((m) => m.target.startsWith(`${path}/`) && m.target.endsWith('.json'))
        .map((m) => resolve(root, m.source));
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('builds a Node 24 image of the runtime sources, run by an unprivileged user', () => {
    expect(instructions('FROM')).toEqual(['node:24-bookworm-slim AS build', 'node:24-bookworm-slim']);
    expect(instructions('RUN').join('\n')).toMatch(/npm run build/);
    expect(instructions('COPY')).toContain('--from=build /app/dist ./dist');
    expect(instructions('RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    for (const source of copySources) expect(existsSync(repo(source)), `COPY ${source}`).toBe(true);
    for (const needed of [
      'package.json',
      'package-lock.json',
      'shared',
      'cloud',
      'edge',
      'simulators',
      'scripts',
      'provisioning',
    ])
      expect(copiedTop, needed).toContain(needed);
    const user = instructions('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(instructions('VOLUME')).toContain('/data');
    expect(instructions('EXPOSE').join(' ').split(/\s+/).sort()).toEqual(['1883', '8080']);
    expect(instructions('CMD').at(-1)).toBe('["node", "cloud/main.ts"]');
  });

  it('keeps dependencies, data, tests and secrets out of the build context, but not what the image copies', () => {
    const ignored = readFileSync(repo('.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of ['node_modules', 'data', 'test', '.git', '.env']) expect(ignored).toContain(entry);
    for (const source of copiedTop) expect(ignored, `${source} reaches the build`).not.toContain(source);
  });
});

/** An edge service's configuration as the agent would load it inside the container. */
async function edgeSetup(name: string, svc: Service) {
  const envVars = env(name, svc);
  const resolved = resolvedEnv(svc);
  expect(resolved.EDGE_CONFIG, `${name}: EDGE_CONFIG`).toBeDefined();
  const path = repoPathOfImagePath(resolved.EDGE_CONFIG ?? '');
  expect(existsSync(path), `${name}: ${path}`).toBe(true);
  // loadEdgeConfig applies EDGE_MQTT_URL and EDGE_GATEWAY_SECRET to the file, then validates it.
  const config = loadEdgeConfig({ ...resolved, EDGE_CONFIG: path });
  return { name, config, envVars };
}

describe('scripts/provision.ts gateway set', () => {
  const secret = 'compose-test-secret-7f3a9c1e52';
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir('provision');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  function provisionCli(args: string[], gatewaySecret: string | undefined) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir.path, GATEWAY_SECRET: gatewaySecret };
    delete childEnv.CREDENTIALS_FILE;
    if (gatewaySecret === undefined) delete childEnv.GATEWAY_SECRET;
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [repo('scripts', 'provision.ts'), ...args],
        { cwd: root, env: childEnv },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          done({ code, stdout, stderr });
        },
      );
    });
  }

  it('stores only the hash of GATEWAY_SECRET and never prints the secret', async () => {
    const first = await provisionCli(['gateway', 'set', 'gw-x'], secret);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('gw-x');
    expect(first.stdout + first.stderr).not.toContain(secret);
    const path = join(dir.path, 'gateway-credentials.json');
    expect(await readFile(path, 'utf8')).not.toContain(secret);
    expect(await opens(path, 'gw-x', secret)).toBe(true);
    expect(await opens(path, 'gw-x', `${secret}-not`)).toBe(false);

    // Again with the same secret: nothing changes; with another one: the old one stops working.
    const before = await readFile(path, 'utf8');
    const again = await provisionCli(['gateway', 'set', 'gw-x'], secret);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('unchanged');
    expect(await readFile(path, 'utf8')).toBe(before);
    const other = `${secret}-rotated`;
    const rotated = await provisionCli(['gateway', 'set', 'gw-x'], other);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout + rotated.stderr).not.toContain(other);
    expect(await opens(path, 'gw-x', other)).toBe(true);
    expect(await opens(path, 'gw-x', secret)).toBe(false);
  });

  it('refuses a missing or too short secret with exit code 2, storing nothing', async () => {
    const short = 'short-secret-15';
    const refused = await provisionCli(['gateway', 'set', 'gw-short'], short);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('at least 16 characters');
    expect(refused.stdout + refused.stderr).not.toContain(short);
    const missing = await provisionCli(['gateway', 'set', 'gw-short'], undefined);
    expect(missing.code).toBe(2);
    expect(await opens(join(dir.path, 'gateway-credentials.json'), 'gw-short', short)).toBe(false);
    const path = join(dir.path, 'gateway-credentials.json');
    if (existsSync(path)) expect(JSON.parse(readFileSync(path, 'utf8')).gateways['gw-short']).toBeUndefined();
  });
});
