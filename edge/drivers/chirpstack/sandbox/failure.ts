/** Why a sandboxed call failed: an enumerated code, as the driver's health reports it. */
export type SandboxFailure =
  | 'codecTimeout'
  | 'codecOutOfMemory'
  | 'codecStackOverflow'
  | 'codecThrew'
  | 'codecMissingFunction'
  | 'codecOutputTooLarge'
  | 'codecBadOutput';

export class CodecSandboxError extends Error {
  readonly code: SandboxFailure;
  constructor(code: SandboxFailure, message: string) {
    super(message);
    this.code = code;
  }
}
