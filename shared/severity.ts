import { z } from 'zod';

/** How bad an alert is, as rules declare it and alerts carry it (lowest first). */
export const alertSeverity = z.enum(['info', 'warning', 'minor', 'major', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeverity>;
