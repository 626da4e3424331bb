import { z } from 'zod';
import { commandResult } from '../../shared/messages.ts';

/** What a gateway reports as a command's outcome (the contract's CommandResult status). */
const resultStatuses = commandResult.shape.status.options;

/**
 * pending   created; the gateway is not listening yet
 * sent      published to the gateway's command topic
 * delivered the gateway acknowledged the message (PUBACK)
 * succeeded / failed / rejected   the gateway's result
 * expired   not completed before its deadline
 */
export const commandStatus = z.enum(['pending', 'sent', 'delivered', ...resultStatuses, 'expired']);
export type CommandStatus = z.infer<typeof commandStatus>;

/** The statuses a command never leaves. */
export const finalStatuses: readonly CommandStatus[] = [...resultStatuses, 'expired'];
