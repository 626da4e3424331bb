import { z } from 'zod';

/**
 * How good the mobile link of a map cell is. The thresholds are operators' field practice for LTE and
 * 5G NR below 6 GHz, written down here once:
 *
 * RSRP (dBm), after the operator-by-operator guide of HiCellTek ("RSRP, RSRQ, SINR thresholds:
 * complete operator-by-operator guide", hicelltek.com, 2026): excellent > −80 and good −80 to −95 are
 * both `good`; −95 to −105 "acceptable, data service limit" is `fair` (most European operators take
 * −105 dBm as LTE's outdoor coverage limit); −105 to −115 "marginal, cell edge" is `poor`; below −115
 * "no coverage" is `none`.
 *
 * SINR (dB), after Teltonika's "Mobile Signal Strength Recommendations" (wiki.teltonika-networks.com,
 * LTE): 13 and above (good, excellent) is `good`; 0 to 13 (mid cell) is `fair`; below 0 (cell edge)
 * is `poor`. SINR alone never says `none`: a link without usable power is told by its RSRP.
 *
 * Each bound belongs to the better class (−95 dBm is good, −95.1 fair). A cell judged on both takes
 * the worse of the two.
 */
export const coverageClasses = ['good', 'fair', 'poor', 'none'] as const;
export const coverageClass = z.enum(coverageClasses);
export type CoverageClass = z.infer<typeof coverageClass>;

/** The lower bound of each class, best first. */
export const rsrpThresholds = { good: -95, fair: -105, poor: -115 } as const;
export const sinrThresholds = { good: 13, fair: 0 } as const;

export function rsrpClass(dbm: number): CoverageClass {
  if (dbm >= rsrpThresholds.good) return 'good';
  if (dbm >= rsrpThresholds.fair) return 'fair';
  if (dbm >= rsrpThresholds.poor) return 'poor';
  return 'none';
}

export function sinrClass(db: number): CoverageClass {
  if (db >= sinrThresholds.good) return 'good';
  if (db >= sinrThresholds.fair) return 'fair';
  return 'poor';
}

/** Which figure decides a cell's class: RSRP, SINR, or both (the worse). */
export const coverageMetric = z.enum(['both', 'rsrp', 'sinr']);
export type CoverageMetric = z.infer<typeof coverageMetric>;

/** The worse of two classes. */
export function worse(a: CoverageClass, b: CoverageClass): CoverageClass {
  return coverageClasses.indexOf(a) >= coverageClasses.indexOf(b) ? a : b;
}

/**
 * A cell's class from its mean RSRP and SINR (undefined: not measured), judged on `metric`; undefined
 * when the figure it is judged on was not measured there.
 */
export function classify(
  means: { rsrp?: number; sinr?: number },
  metric: CoverageMetric,
): CoverageClass | undefined {
  const byRsrp = metric !== 'sinr' && means.rsrp !== undefined ? rsrpClass(means.rsrp) : undefined;
  const bySinr = metric !== 'rsrp' && means.sinr !== undefined ? sinrClass(means.sinr) : undefined;
  if (byRsrp && bySinr) return worse(byRsrp, bySinr);
  return byRsrp ?? bySinr;
}
