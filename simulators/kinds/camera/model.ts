import { distanceM } from '../../../shared/geo.ts';
import { localClock } from '../../local-time.ts';
import { clamp, HOUR_MS, hoursBetween, occurs, poisson, round } from '../../models/math.ts';
import type {
  Command,
  CommandOutcome,
  DeviceModel,
  ModelContext,
  ModelEvent,
  Physics,
  Step,
} from '../../models/model.ts';
import { pedestrians, traffic } from '../../models/profiles.ts';
import { simulate } from '../../models/simulate.ts';

type Metrics = Step<'camera'>['metrics'];
type Events = ModelEvent<'camera'>[];

/** Pedestrians per hour at the busiest time, for a camera of average busyness. */
const PEDESTRIANS_PER_HOUR = 500;
/** Ground taken by one person when computing occupancy. */
const M2_PER_PERSON = 0.5;
const STREAM_DROPS_PER_HOUR = 1 / 100;
const TAMPERS_PER_HOUR = 1 / 20_000;
const MAX_COUNT = 100_000;
const DEGRADED_BELOW_SINR_DB = 3;
/** How long a reboot keeps the stream offline, in seconds. */
const REBOOT_S = [60, 120] as const;

/**
 * A 5G camera running video analytics on the device: it counts passers-by and vehicles in the
 * reporting interval and estimates how crowded its zone is, and reports its radio link.
 * Only counts leave the device. Streams drop now and then; tampering is rare. An operator can
 * reboot it: the stream is offline for a minute or two.
 */
class CameraPhysics implements Physics<'camera'> {
  readonly kind = 'camera';
  readonly #context: ModelContext;
  readonly #pedestriansPerHour: number;
  readonly #zoneArea: number;
  readonly #dwellHours: number;
  readonly #vehiclesPerHour: number;
  readonly #freeFlowSpeed: number;
  #rsrp: number;
  #sinr: number;
  readonly #latency: number;
  #people = 0;
  #vehicles = 0;
  #offlineUntil = 0;
  #tamperedUntil = 0;
  readonly faults = {
    /** A poor 5G link: weak signal and a noisy channel, so the stream degrades. */
    poorLink: () => {
      this.#rsrp = -118;
      this.#sinr = -4;
    },
  };

  constructor(context: ModelContext) {
    const { random, city, device } = context;
    this.#context = context;
    const centrality = Math.exp(-distanceM(device.location, city.location) / 1_500);
    this.#pedestriansPerHour = PEDESTRIANS_PER_HOUR * random.between(0.3, 1.5) * (0.5 + 2 * centrality);
    this.#zoneArea = random.between(200, 2_000);
    this.#dwellHours = random.between(1, 5) / 60;
    // One camera in five watches a pedestrian area with hardly any vehicles.
    this.#vehiclesPerHour = random.chance(0.2) ? random.between(0, 10) : random.between(150, 1_200);
    this.#freeFlowSpeed = random.pick([30, 50, 50, 70]);
    this.#rsrp = clamp(random.normal(-85, 6), -115, -60);
    this.#sinr = clamp(random.normal(15, 4), 0, 30);
    this.#latency = random.between(8, 20);
  }

  advance(from: Date, to: Date, events: Events): void {
    const { random, city } = this.#context;
    const hours = hoursBetween(from, to);
    const now = to.getTime();
    if (this.#offlineUntil > 0 && now >= this.#offlineUntil) {
      this.#offlineUntil = 0;
      events.push({ type: 'streamUp' });
    } else if (this.#offlineUntil === 0 && occurs(random, STREAM_DROPS_PER_HOUR, hours)) {
      this.#offlineUntil = now + random.between(2, 20) * 60_000;
      events.push({ type: 'streamDown' });
    }
    if (now >= this.#tamperedUntil && occurs(random, TAMPERS_PER_HOUR, hours)) {
      this.#tamperedUntil = now + random.between(0.5, 6) * HOUR_MS;
      events.push({ type: 'tamper' });
    }
    if (!this.#counting(now)) return;
    const { hour, weekday } = localClock(to, city.timezone);
    this.#people += poisson(random, this.#pedestriansPerHour * pedestrians(hour, weekday) * hours);
    this.#vehicles += poisson(random, this.#vehiclesPerHour * traffic(hour, weekday) * hours);
  }

  command(command: Command<'camera'>, now: Date, events: Events): CommandOutcome {
    // The driver, not the device model, owns the reporting interval.
    if (command.action === 'setReportingInterval') return { status: 'succeeded' };
    const { random } = this.#context;
    // A reboot restarts the pipeline, whether it was running or had stopped.
    this.#offlineUntil = now.getTime() + random.between(...REBOOT_S) * 1_000;
    events.push({ type: 'rebooted' });
    return { status: 'succeeded' };
  }

  read(now: Date): Metrics {
    const { random, city } = this.#context;
    const { hour, weekday } = localClock(now, city.timezone);
    const counting = this.#counting(now.getTime());
    const present = counting
      ? poisson(random, this.#pedestriansPerHour * pedestrians(hour, weekday) * this.#dwellHours)
      : 0;
    const people = counting ? this.#people : 0;
    const vehicles = counting ? this.#vehicles : 0;
    // Traffic slows down as the road fills up: about two thirds of free-flow speed in the rush hour.
    const speed =
      vehicles > 0 ? this.#freeFlowSpeed * (1 - 0.45 * traffic(hour, weekday)) + random.normal(0, 3) : 0;
    const sinr = clamp(this.#sinr + random.normal(0, 2.5), -30, 50);
    const quality = clamp((sinr + 5) / 25, 0.05, 1);
    const offline = this.#offlineUntil > 0;
    const metrics: Metrics = {
      streamStatus: offline ? 'offline' : sinr < DEGRADED_BELOW_SINR_DB ? 'degraded' : 'online',
      peopleCount: Math.min(MAX_COUNT, people),
      crowdDensity: round(clamp(present / this.#zoneArea, 0, 20), 3),
      occupancy: round(clamp((100 * present * M2_PER_PERSON) / this.#zoneArea, 0, 100), 1),
      vehicleCount: Math.min(MAX_COUNT, vehicles),
      averageVehicleSpeed: round(clamp(speed, 0, 300), 1),
      rsrp: round(clamp(this.#rsrp + random.normal(0, 2), -160, -20), 1),
      sinr: round(sinr, 1),
      uplinkBitrate: offline
        ? 0
        : round((2_000 + 6_000 * quality) * clamp(random.normal(1, 0.05), 0.8, 1.2), 0),
      latency: round(this.#latency + 15 * (1 - quality) - 4 * Math.log(1 - random.next()), 1),
      tamperDetected: now.getTime() < this.#tamperedUntil,
    };
    this.#people = 0;
    this.#vehicles = 0;
    return metrics;
  }

  #counting(now: number): boolean {
    return this.#offlineUntil === 0 && now >= this.#tamperedUntil;
  }
}

export function createCamera(context: ModelContext): DeviceModel<'camera'> {
  return simulate(new CameraPhysics(context));
}
