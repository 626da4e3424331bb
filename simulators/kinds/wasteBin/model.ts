import { distanceM } from '../../../shared/geo.ts';
import { localClock } from '../../local-time.ts';
import { clamp, HOUR_MS, hoursBetween, occurs, round } from '../../models/math.ts';
import type { DeviceModel, ModelContext, ModelEvent, Physics, Step } from '../../models/model.ts';
import { litter } from '../../models/profiles.ts';
import { simulate } from '../../models/simulate.ts';
import { hashString } from '../../random.ts';

type Metrics = Step<'wasteBin'>['metrics'];
type Events = ModelEvent<'wasteBin'>[];

/** Weekday pairs (0 = Sunday) on which a district's bins are collected. */
const COLLECTION_DAYS = [
  [1, 4],
  [2, 5],
  [3, 6],
  [1, 3],
  [2, 4],
  [3, 5],
];
/** The round starts at 06:00 local; each bin has its place in the round within the next hour. */
const COLLECTION_HOUR = 6;
const COLLECTION_WINDOW_H = 2;
const LID_LEFT_OPEN_PER_HOUR = 0.01;
const OVERFULL_PERCENT = 98;
const FIRES_PER_HOUR = 1 / 50_000;
const TILTS_PER_HOUR = 1 / 5_000;
const COOLING_TIME_CONSTANT_H = 0.75;
const BATTERY_DRAIN_PER_HOUR = 0.5 / (7 * 24);
const BATTERY_LOW_PERCENT = 15;

/**
 * A public waste bin with a fill-level sensor: filled by passers-by (faster near the centre,
 * busier at weekends, quiet at night), emptied on its district's two collection days, with the
 * occasional lid left open, fire or bin knocked over, and a battery that slowly runs down.
 */
class WasteBinPhysics implements Physics<'wasteBin'> {
  readonly kind = 'wasteBin';
  readonly #context: ModelContext;
  readonly #fillPerHour: number;
  readonly #collectionDays: number[];
  readonly #collectionHour: number;
  readonly #meanTemperature: number;
  readonly #uprightTilt: number;
  #fill = 0;
  readonly faults = {
    /** The bin is nearly full when the simulation starts. */
    full: () => {
      this.#fill = 95;
    },
  };
  #lastEmptying = '';
  #weekday = -1;
  #collectedToday = false;
  #lidOpen = false;
  #lidClosesAt = 0;
  #fireUntil = 0;
  #heat = 0;
  #tiltAngle: number | undefined;
  #battery: number;

  constructor(context: ModelContext) {
    const { random, city, device } = context;
    this.#context = context;
    const centrality = Math.exp(-distanceM(device.location, city.location) / 2_000);
    this.#fillPerHour = random.between(0.9, 1.5) * (1 + 2 * centrality);
    this.#collectionDays = COLLECTION_DAYS[hashString(device.district) % COLLECTION_DAYS.length] ?? [1, 4];
    this.#collectionHour = COLLECTION_HOUR + random.next();
    this.#meanTemperature = random.normal(12.5, 1);
    this.#uprightTilt = random.between(0, 4);
    this.#battery = random.between(15, 100);
  }

  init(now: Date): void {
    const { random, city } = this.#context;
    const { hour, weekday } = localClock(now, city.timezone);
    this.#fill = random.between(0, 60);
    this.#lastEmptying = new Date(now.getTime() - random.between(12, 84) * HOUR_MS).toISOString();
    this.#weekday = weekday;
    this.#collectedToday = hour >= this.#collectionHour;
  }

  advance(from: Date, to: Date, events: Events): void {
    const hours = hoursBetween(from, to);
    this.#collectOrFill(to, hours, events);
    this.#lid(to, hours, events);
    this.#fire(to, hours, events);
    this.#tilt(hours, events);
    const battery = Math.max(0, this.#battery - BATTERY_DRAIN_PER_HOUR * hours);
    if (this.#battery > BATTERY_LOW_PERCENT && battery <= BATTERY_LOW_PERCENT) {
      events.push({ type: 'batteryLow', values: { batteryLevel: round(battery, 1) } });
    }
    this.#battery = battery;
  }

  read(now: Date): Metrics {
    const { random, city } = this.#context;
    const { hour } = localClock(now, city.timezone);
    const ambient = this.#meanTemperature + 7.5 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    const tilt = this.#tiltAngle ?? this.#uprightTilt + random.normal(0, 0.2);
    return {
      fillingLevel: round(this.#fill, 1),
      temperature: round(clamp(ambient + this.#heat + random.normal(0, 0.3), -60, 200), 1),
      tiltAngle: round(clamp(tilt, 0, 180), 1),
      lidOpen: this.#lidOpen,
      batteryLevel: round(this.#battery, 1),
      status: this.#status(now),
      dateLastEmptying: this.#lastEmptying,
    };
  }

  #collectOrFill(to: Date, hours: number, events: Events): void {
    const { random, city } = this.#context;
    const { hour, weekday } = localClock(to, city.timezone);
    if (weekday !== this.#weekday) {
      this.#weekday = weekday;
      this.#collectedToday = false;
    }
    const due =
      this.#collectionDays.includes(weekday) &&
      hour >= this.#collectionHour &&
      hour < this.#collectionHour + COLLECTION_WINDOW_H;
    if (due && !this.#collectedToday) {
      this.#collectedToday = true;
      this.#fill = random.between(0, 2);
      this.#lastEmptying = to.toISOString();
      this.#tiltAngle = undefined;
      events.push({ type: 'emptied' });
      return;
    }
    const thrownIn = this.#fillPerHour * litter(hour, weekday) * hours * Math.max(0, random.normal(1, 0.3));
    this.#fill = Math.min(100, this.#fill + thrownIn);
  }

  #lid(to: Date, hours: number, events: Events): void {
    const { random, city } = this.#context;
    const overfull = this.#fill >= OVERFULL_PERCENT;
    if (this.#lidOpen) {
      if (!overfull && to.getTime() >= this.#lidClosesAt) {
        this.#lidOpen = false;
        events.push({ type: 'lidClosed' });
      }
      return;
    }
    const { hour, weekday } = localClock(to, city.timezone);
    if (overfull || occurs(random, LID_LEFT_OPEN_PER_HOUR * litter(hour, weekday), hours)) {
      this.#lidOpen = true;
      this.#lidClosesAt = to.getTime() + random.between(5, 60) * 60_000;
      events.push({
        type: 'lidOpened',
        ...(overfull ? { values: { fillingLevel: round(this.#fill, 1) } } : {}),
      });
    }
  }

  #fire(to: Date, hours: number, events: Events): void {
    const { random } = this.#context;
    if (to.getTime() < this.#fireUntil) return;
    this.#heat *= Math.exp(-hours / COOLING_TIME_CONSTANT_H);
    if (occurs(random, FIRES_PER_HOUR, hours)) {
      this.#heat = random.between(60, 130);
      this.#fireUntil = to.getTime() + random.between(0.5, 3) * HOUR_MS;
      events.push({ type: 'fireRisk', values: { heatAboveAmbient: round(this.#heat, 0) } });
    }
  }

  #tilt(hours: number, events: Events): void {
    const { random } = this.#context;
    if (this.#tiltAngle === undefined && occurs(random, TILTS_PER_HOUR, hours)) {
      this.#tiltAngle = clamp(random.normal(88, 4), 60, 120);
      events.push({ type: 'tilted', values: { tiltAngle: round(this.#tiltAngle, 1) } });
    }
  }

  #status(now: Date): Metrics['status'] {
    if (now.getTime() < this.#fireUntil) return 'burning';
    if (this.#tiltAngle !== undefined) return 'dropped';
    return this.#lidOpen ? 'lidOpen' : 'ok';
  }
}

export function createWasteBin(context: ModelContext): DeviceModel<'wasteBin'> {
  return simulate(new WasteBinPhysics(context));
}
