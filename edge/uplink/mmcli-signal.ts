import { z } from 'zod';
import { type Uplink, uplink } from '../../shared/uplink.ts';

/**
 * ModemManager's `mmcli -m any --signal-get -J`: the modem's extended signal figures, each a string
 * with two decimals ("-95.00") or "--" when the modem has no figure. Only the LTE and 5G (NR)
 * families are read; anything else in the answer (other families, refresh and threshold settings,
 * fields of later versions) is ignored.
 */
const figure = z.string().optional();
const family = z.looseObject({ rsrp: figure, rsrq: figure, snr: figure });
const signalAnswer = z.looseObject({
  modem: z.looseObject({
    signal: z.looseObject({ lte: family.optional(), '5g': family.optional() }),
  }),
});

/** A figure as a number: "--", empty, or not a finite number is no figure. */
function number(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*-?\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

export type SignalParse = { uplink: Uplink } | { uplink: undefined; reason: string };

/**
 * The uplink in an mmcli answer: 5G NR when the modem measures it (on a non-standalone link the LTE
 * anchor is also there; the NR leg is the one that carries the data), else LTE. A family counts only
 * with both RSRP and SINR; figures outside 3GPP's ranges make the answer unusable (`reason` says why),
 * never a heartbeat the cloud would refuse.
 */
export function parseSignal(output: string): SignalParse {
  let json: unknown;
  try {
    json = JSON.parse(output);
  } catch {
    return { uplink: undefined, reason: 'not JSON' };
  }
  const answer = signalAnswer.safeParse(json);
  if (!answer.success) return { uplink: undefined, reason: 'no modem.signal object' };
  const { lte, '5g': nr } = answer.data.modem.signal;
  for (const [technology, figures] of [
    ['nr', nr],
    ['lte', lte],
  ] as const) {
    const rsrp = number(figures?.rsrp);
    const sinr = number(figures?.snr);
    if (rsrp === undefined || sinr === undefined) continue;
    const rsrq = number(figures?.rsrq);
    const parsed = uplink.safeParse({ technology, rsrp, sinr, ...(rsrq === undefined ? {} : { rsrq }) });
    if (!parsed.success)
      return {
        uplink: undefined,
        reason: `${technology} figures out of range: ${parsed.error.issues[0]?.path.join('.')}`,
      };
    return { uplink: parsed.data };
  }
  return { uplink: undefined, reason: 'no LTE or 5G figures with RSRP and SINR' };
}
