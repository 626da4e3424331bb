import pkg from '../package.json' with { type: 'json' };

/** The platform's version, reported by edge agents in their status and heartbeat. */
export const softwareVersion: string = pkg.version;
