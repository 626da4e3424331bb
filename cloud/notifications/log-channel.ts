import type { Logger } from 'pino';
import type { AlertDigest, AlertNotification, Channel } from './channel.ts';

/** Writes each notification to the log at info level, with all its fields. */
export class LogChannel implements Channel {
  readonly name: string;
  private readonly log: Logger;

  constructor(options: { name: string; log: Logger }) {
    this.name = options.name;
    this.log = options.log;
  }

  async send(notification: AlertNotification): Promise<void> {
    this.log.info(
      { channel: this.name, ...notification },
      `alert ${notification.transition}: ${notification.ruleName} (${notification.severity}) on ${notification.subject.id}`,
    );
  }

  async sendDigest(digest: AlertDigest): Promise<void> {
    this.log.info({ channel: this.name, ...digest }, `alert digest: ${digest.summary}`);
  }
}
