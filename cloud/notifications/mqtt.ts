import type { AlertDigest, AlertNotification, Channel } from './channel.ts';

/** Publishes on the cloud's own broker; the cloud passes its broker's publish. */
export type Publish = (topic: string, payload: string) => Promise<void>;

export const defaultAlertTopic = 'city/v1/alerts';

/**
 * Alert events on an MQTT topic, for dashboards and integrations that already speak MQTT.
 * The payload is the notification as JSON; digests go to `<topic>/digest`.
 */
export class MqttChannel implements Channel {
  readonly name: string;
  private readonly topic: string;
  private readonly publish: Publish;

  constructor(options: { name: string; topic?: string; publish: Publish }) {
    this.name = options.name;
    this.topic = options.topic ?? defaultAlertTopic;
    this.publish = options.publish;
  }

  send(notification: AlertNotification): Promise<void> {
    return this.publish(this.topic, JSON.stringify(notification));
  }

  sendDigest(digest: AlertDigest): Promise<void> {
    return this.publish(`${this.topic}/digest`, JSON.stringify(digest));
  }
}
