import { localClock } from '../../local-time.ts';
import { clamp, HOUR_MS, hoursBetween, occurs, round } from '../../models/math.ts';
import type {
  Command,
  CommandOutcome,
  DeviceModel,
  ModelContext,
  ModelEvent,
  Physics,
  Step,
} from '../../models/model.ts';
import { simulate } from '../../models/simulate.ts';
import { daylightLux, SUNSET_ALTITUDE, sunAltitude } from '../../models/sun.ts';

type Schedule = 'on' | 'low' | 'off';
type Metrics = Step<'streetlight'>['metrics'];
type Events = ModelEvent<'streetlight'>[];

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
 * odd lamp failure that a crew repairs within a day. An operator can override the schedule: switch
 * the lamp on or off and set its dimming level, until it is told to return to its schedule.
 */
class StreetlightPhysics implements Physics<'streetlight'> {
  readonly kind = 'streetlight';
  readonly #context: ModelContext;
  readonly #ratedPower: number;
  readonly #photocellOffset: number;
  readonly #supplyVoltage: number;
  /** What the photocell and the night-dimming schedule ask for. */
  #schedule: Schedule = 'off';
  /** Manual switch override: on or off whatever the sun does. */
  #switched: boolean | undefined;
  /** Dimming level override (%), applied whenever the lamp is on. */
  #dimming: number | undefined;
  #defective = false;
  #repairAt = 0;
  readonly faults = {
    /** The lamp has failed; the crew comes within a day. */
    lampFailure: (now: Date) => {
      this.#defective = true;
      this.#repairAt = now.getTime() + 24 * HOUR_MS;
    },
  };
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

  advance(from: Date, to: Date, events: Events): void {
    const { random } = this.#context;
    const hours = hoursBetween(from, to);
    const wasLit = this.#lit();
    this.#schedule = this.#scheduled(to);
    this.#reportSwitch(wasLit, events, 'schedule');
    if (this.#defective && to.getTime() >= this.#repairAt) {
      this.#defective = false;
      events.push({ type: 'lampRepaired' });
    } else if (this.#burning() && occurs(random, LAMP_FAULTS_PER_BURNING_HOUR, hours)) {
      this.#defective = true;
      this.#repairAt = to.getTime() + random.between(2, 24) * HOUR_MS;
      events.push({ type: 'lampFault' });
    }
    this.#energyKwh += (this.#nominalPower() * hours) / 1_000;
    if (this.#burning()) this.#operatingHours += hours;
  }

  command(command: Command<'streetlight'>, _now: Date, events: Events): CommandOutcome {
    const wasLit = this.#lit();
    switch (command.action) {
      case 'switch':
        this.#switched = command.on;
        break;
      case 'setDimming':
        this.#dimming = command.level;
        break;
      case 'returnToSchedule':
        this.#switched = undefined;
        this.#dimming = undefined;
        break;
    }
    this.#reportSwitch(wasLit, events, command.action === 'returnToSchedule' ? 'schedule' : 'operator');
    const wantsLight = command.action === 'switch' ? command.on : command.action === 'setDimming';
    if (this.#defective && wantsLight) {
      return { status: 'failed', reason: 'deviceFault' };
    }
    return { status: 'succeeded' };
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
      powerState: this.#powerState(),
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

  /** Whether the controller has the lamp switched on, by the schedule or by an override. */
  #lit(): boolean {
    return this.#switched ?? this.#schedule !== 'off';
  }

  #reportSwitch(wasLit: boolean, events: Events, switchedBy: 'operator' | 'schedule'): void {
    const lit = this.#lit();
    if (lit === wasLit) return;
    events.push({ type: lit ? 'switchedOn' : 'switchedOff', values: { switchedBy } });
  }

  #dimmingLevel(): number {
    if (!this.#lit()) return 0;
    if (this.#dimming !== undefined) return this.#dimming;
    return this.#switched || this.#schedule === 'on' ? 100 : DIMMED_PERCENT;
  }

  #powerState(): Schedule {
    if (!this.#lit()) return 'off';
    return this.#dimmingLevel() < 100 ? 'low' : 'on';
  }

  #burning(): boolean {
    return this.#lit() && !this.#defective;
  }

  #nominalPower(): number {
    if (!this.#burning()) return STANDBY_W;
    return Math.max(STANDBY_W, (this.#ratedPower * this.#dimmingLevel()) / 100);
  }
}

export function createStreetlight(context: ModelContext): DeviceModel<'streetlight'> {
  return simulate(new StreetlightPhysics(context));
}
