import { localClock } from '../local-time.ts';
import { clamp, HOUR_MS, hoursBetween, occurs, round } from './math.ts';
import type { DeviceModel, ModelContext, ModelEvent, Physics, Step } from './model.ts';
import { simulate } from './simulate.ts';
import { daylightLux, SUNSET_ALTITUDE, sunAltitude } from './sun.ts';

type Schedule = 'on' | 'low' | 'off';
type Metrics = Step<'streetlight'>['metrics'];

const RATED_POWERS_W = [40, 60, 80, 100, 120, 150];
const STANDBY_W = 0.5;
const DIMMED_PERCENT = 50;
/** Local hours between which lamps burn dimmed. */
const DIM_FROM = 23;
const DIM_UNTIL = 5;
const LAMP_FAULTS_PER_BURNING_HOUR = 1 / 2_000;

/**
 * A dusk-to-dawn LED street light: switched by its photocell when the sun sets (each photocell
 * reacts a little earlier or later), dimmed late at night, with metered power and energy and the
 * odd lamp failure that a crew repairs within a day.
 */
class StreetlightPhysics implements Physics<'streetlight'> {
  readonly kind = 'streetlight';
  readonly #context: ModelContext;
  readonly #ratedPower: number;
  readonly #photocellOffset: number;
  readonly #supplyVoltage: number;
  #schedule: Schedule = 'off';
  #defective = false;
  #repairAt = 0;
  #energyKwh: number;
  #operatingHours: number;

  constructor(context: ModelContext) {
    const { random } = context;
    this.#context = context;
    this.#ratedPower = random.pick(RATED_POWERS_W);
    this.#photocellOffset = random.between(-1, 1);
    this.#supplyVoltage = random.normal(230, 3);
    // Installed some years ago: about 4,000 burning hours a year, partly dimmed.
    this.#operatingHours = random.between(0, 20_000);
    this.#energyKwh = (this.#operatingHours * this.#ratedPower * 0.85) / 1_000;
  }

  init(now: Date): void {
    this.#schedule = this.#scheduled(now);
  }

  advance(from: Date, to: Date, events: ModelEvent<'streetlight'>[]): void {
    const { random } = this.#context;
    const hours = hoursBetween(from, to);
    const next = this.#scheduled(to);
    if ((this.#schedule === 'off') !== (next === 'off')) {
      events.push({ type: next === 'off' ? 'switchedOff' : 'switchedOn' });
    }
    this.#schedule = next;
    if (this.#defective && to.getTime() >= this.#repairAt) {
      this.#defective = false;
      events.push({ type: 'lampRepaired' });
    } else if (this.#burning() && occurs(random, LAMP_FAULTS_PER_BURNING_HOUR, hours)) {
      this.#defective = true;
      this.#repairAt = to.getTime() + random.between(2, 24) * HOUR_MS;
      events.push({ type: 'lampFault', detail: 'lamp draws no current while switched on' });
    }
    this.#energyKwh += (this.#nominalPower() * hours) / 1_000;
    if (this.#burning()) this.#operatingHours += hours;
  }

  read(now: Date): Metrics {
    const { random, device } = this.#context;
    const burning = this.#burning();
    const voltage = random.normal(this.#supplyVoltage, 1.5);
    const powerFactor = burning
      ? clamp(random.normal(0.95, 0.01), 0.85, 0.99)
      : clamp(random.normal(0.45, 0.03), 0.3, 0.6);
    const activePower = this.#nominalPower() * (1 + random.normal(0, burning ? 0.01 : 0.05));
    const ambient = daylightLux(sunAltitude(now, device.location)) * clamp(random.normal(1, 0.1), 0.5, 1.5);
    return {
      powerState: this.#schedule,
      dimmingLevel: this.#dimmingLevel(),
      activePower: round(activePower, 1),
      energyConsumed: round(this.#energyKwh, 3),
      voltage: round(voltage, 1),
      current: round(activePower / (voltage * powerFactor), 3),
      powerFactor: round(powerFactor, 2),
      status: this.#defective ? 'defectiveLamp' : 'ok',
      ambientLight: round(ambient, 1),
      operatingHours: round(this.#operatingHours, 2),
    };
  }

  #scheduled(date: Date): Schedule {
    const { city, device } = this.#context;
    if (sunAltitude(date, device.location) > SUNSET_ALTITUDE + this.#photocellOffset) return 'off';
    const { hour } = localClock(date, city.timezone);
    return hour >= DIM_FROM || hour < DIM_UNTIL ? 'low' : 'on';
  }

  #dimmingLevel(): number {
    if (this.#schedule === 'off') return 0;
    return this.#schedule === 'low' ? DIMMED_PERCENT : 100;
  }

  #burning(): boolean {
    return this.#schedule !== 'off' && !this.#defective;
  }

  #nominalPower(): number {
    return this.#burning() ? (this.#ratedPower * this.#dimmingLevel()) / 100 : STANDBY_W;
  }
}

export function createStreetlight(context: ModelContext): DeviceModel<'streetlight'> {
  return simulate(new StreetlightPhysics(context));
}
