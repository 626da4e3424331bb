// The launcher's decisions, as pure functions (plain JavaScript: they run on the old Node too).

/** The Node major version the platform needs. */
export const neededMajor = 24;

/** @param {string} version e.g. process.versions.node, "20.20.2" */
export function needsNewerNode(version) {
  return Number(String(version).split('.')[0]) < neededMajor;
}

/**
 * The npm package that ships Node's binary for this machine, and where it lands under `cacheDir`;
 * undefined where the npm registry has none.
 * @param {string} cacheDir @param {string} platform process.platform @param {string} arch process.arch
 */
export function nodePackage(cacheDir, platform, arch) {
  const known = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'];
  if (!known.includes(`${platform}-${arch}`)) return undefined;
  const name = `node-${platform}-${arch}`;
  const binDir = `${cacheDir}/node_modules/${name}/bin`;
  return {
    name,
    spec: `${name}@${neededMajor}`,
    binDir,
    node: `${binDir}/node`,
    install: [
      'install',
      '--prefix',
      cacheDir,
      '--no-save',
      '--no-audit',
      '--no-fund',
      // Each request and its result on its own line: progress that shows outside a terminal too.
      '--loglevel=http',
      `${name}@${neededMajor}`,
    ],
  };
}

/**
 * What to do about InfluxDB: nothing when INFLUX_URL points elsewhere or influxd is installed;
 * install Debian's package when root on Debian; otherwise say the exact command and stop.
 * @param {{ influxUrl?: string, hasInfluxd: boolean, isRoot: boolean, hasApt: boolean }} machine
 * @returns {{ action: 'none' } | { action: 'apt', commands: string[][] } | { action: 'tell', message: string }}
 */
export function influxdPlan(machine) {
  if (machine.influxUrl || machine.hasInfluxd) return { action: 'none' };
  const apt = [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'influxdb'],
  ];
  if (machine.hasApt && machine.isRoot) return { action: 'apt', commands: apt };
  const how = machine.hasApt
    ? `sudo apt-get update && sudo apt-get install -y influxdb`
    : 'install InfluxDB 1.x (influxd) from your system packages or influxdata.com';
  return {
    action: 'tell',
    message: `influxd is not installed and installing it needs root. Run:\n  ${how}\nthen npm start again (or set INFLUX_URL to an InfluxDB you have).`,
  };
}
