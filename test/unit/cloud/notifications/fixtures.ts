import pino from 'pino';
import type { AlertNotification, Channel } from '../../../../cloud/notifications/channel.ts';

export const silentLog = pino({ level: 'silent' });

/** A pino logger whose JSON lines are kept in `lines`. */
export function capturingLog(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

export function alert(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    alertId: 'alert-1',
    ruleId: 'bin-full',
    ruleName: 'Bin above 80 %',
    severity: 'minor',
    transition: 'fired',
    subject: { kind: 'device', id: 'bin-000007', district: 'north', deviceKind: 'wasteBin' },
    at: '2026-11-22T16:00:00.000Z',
    summary: 'filling level 86 % > 80 %',
    details: { fillLevel: 86 },
    ...overrides,
  };
}

/** A channel that records what it was sent, optionally failing. */
export function recordingChannel(name: string, behaviour: { fail?: boolean; digest?: boolean } = {}) {
  const sent: unknown[] = [];
  const channel: Channel = {
    name,
    async send(n) {
      if (behaviour.fail) throw new Error(`${name} is down`);
      sent.push(n);
    },
  };
  if (behaviour.digest !== false) channel.sendDigest = async (d) => void sent.push(d);
  return { channel, sent };
}

export interface FakeCall {
  url: string;
  init: RequestInit;
}

/**
 * A fetch that answers with the given statuses in turn (an Error is thrown instead, as a
 * network error would be); the last answer repeats.
 */
export function scriptedFetch(answers: (number | Error)[]) {
  const calls: FakeCall[] = [];
  const fetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (answer instanceof Error) throw answer;
    return new Response(null, { status: answer ?? 200 });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}
