// `npm start` on any Node: plain JavaScript that the machine's older Node runs. On a Node older than
// 24 it installs Node 24 from the npm registry into a cache of its own (CITY_NODE_CACHE, default
// ~/.cache/city-platform/node24) and runs itself again there; then it makes sure influxd is installed
// (Debian's package when root; otherwise it prints the command), builds the console with --console
// when its sources changed since the last build, and runs the given TypeScript entry point in this
// process.
//
//   node scripts/launch.mjs [--console] <entry.ts> [arguments]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { influxdPlan, neededMajor, needsNewerNode, nodePackage } from './launch/plan.mjs';

const say = (message) => console.error(`npm start: ${message}`);
const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  say(message);
  process.exit(1);
}

/** The newest modification time (ms) of a file or of anything in a folder; 0 when it is missing. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

/**
 * Whether the console must be built: console/dist is missing or older than its sources and shared/,
 * which it imports (as test/browser/build.ts decides). A build empties console/dist, which a cloud
 * already running from this checkout serves: it is not rebuilt when nothing changed.
 */
function consoleIsStale() {
  const built = newest(join('console', 'dist', 'index.html'));
  const sources = ['console/src', 'console/index.html', 'console/vite.config.ts', 'shared'].map(newest);
  return built === 0 || Math.max(...sources) >= built;
}

/** Runs a command with its output shown; stops the launcher when it fails. */
function runShown(command, args, env) {
  say(`running ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: env || process.env });
  if (result.error) fail(`${command} could not be run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit code ${result.status})`);
}

/** On an old Node: Node 24 into the cache (once), then this launcher again under it. */
function reexecUnderNode24() {
  const cacheDir = resolve(
    process.env.CITY_NODE_CACHE || join(homedir(), '.cache', 'city-platform', 'node24'),
  );
  const pkg = nodePackage(cacheDir, process.platform, process.arch);
  if (!pkg)
    fail(
      `Node ${neededMajor} is needed and npm has no Node package for ${process.platform}-${process.arch}: install Node ${neededMajor} yourself`,
    );
  if (existsSync(pkg.node))
    say(
      `Node ${process.versions.node} is older than ${neededMajor}: using Node ${neededMajor} from ${cacheDir}`,
    );
  else {
    say(
      `Node ${process.versions.node} is older than ${neededMajor}: installing ${pkg.spec} from the npm registry into ${cacheDir} (once, about 30 MB)`,
    );
    runShown(npmCommand, pkg.install);
    if (!existsSync(pkg.node)) fail(`${pkg.spec} was installed but ${pkg.node} is missing`);
  }
  // Node 24 first on PATH: the console's build and anything else started from here use it.
  const env = { ...process.env, PATH: `${pkg.binDir}${delimiter}${process.env.PATH || ''}` };
  const child = spawn(pkg.node, process.argv.slice(1), { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 143) : code));
}

function ensureInfluxd() {
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  const plan = influxdPlan({
    influxUrl: process.env.INFLUX_URL,
    hasInfluxd: has('influxd'),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: has('apt-get'),
  });
  if (plan.action === 'tell') fail(plan.message);
  if (plan.action === 'apt') {
    say("influxd is not installed: installing Debian's influxdb package");
    for (const [command, ...args] of plan.commands)
      runShown(command, args, { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const buildConsole = args[0] === '--console';
  const [entry, ...rest] = buildConsole ? args.slice(1) : args;
  if (!entry) fail('usage: node scripts/launch.mjs [--console] <entry.ts> [arguments]');
  if (needsNewerNode(process.versions.node)) return reexecUnderNode24();
  ensureInfluxd();
  if (buildConsole) {
    if (consoleIsStale()) runShown(npmCommand, ['run', 'console:build']);
    else say('the console is built and up to date');
  }
  // The entry point runs in this process: signals reach it as they reach `node <entry>`.
  process.argv = [process.argv[0], resolve(entry), ...rest];
  await import(pathToFileURL(resolve(entry)).href);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
