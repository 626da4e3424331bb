import type { DownlinkInput, UplinkInput } from '../codec.ts';
import type { SandboxFailure } from './failure.ts';

/** A call from the driver to the sandbox process: the codec's source comes with its first call there. */
export type SandboxCall = { id: number; codec: string; fileName: string; source?: string } & (
  | { fn: 'decodeUplink'; input: UplinkInput }
  | { fn: 'encodeDownlink'; input: DownlinkInput }
);

/** The sandbox process's answer: the codec's output (already checked there) or why it failed. */
export type SandboxAnswer =
  | { id: number; ok: true; output: unknown }
  | { id: number; ok: false; code: SandboxFailure; message: string };
