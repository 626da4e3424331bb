import { localClock } from '../../local-time.ts';
import { bump, clamp, HOUR_MS, occurs, round } from '../../models/math.ts';
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

type Metrics = Step<'evCharger'>['metrics'];
type Events = ModelEvent<'evCharger'>[];
type ErrorCode = Metrics['errorCode'];

/** Arrivals per hour at a free connector at the busiest time of a weekday. */
const ARRIVALS_PER_HOUR = 0.35;
/** Faults per hour of one connector: about one every two months. */
const FAULTS_PER_HOUR = 1 / (60 * 24);
/** Share of departures after which the cable stays locked in the socket. */
const STUCK_SHARE = 0.005;
/** Charging physics is integrated in steps of at most this much. */
const STEP_MS = 60_000;
/** A car plugs in and starts charging after this long (authorisation, handshake). */
const PREPARING_MS = 60_000;
/** Faults a technician must repair: a reset does not clear them. */
const NEEDS_TECHNICIAN: ErrorCode[] = ['GroundFailure', 'PowerSwitchFailure', 'ConnectorLockFailure'];
const HARDWARE_FAULTS: ErrorCode[] = [
  'EVCommunicationError',
  'GroundFailure',
  'InternalError',
  'OverCurrentFailure',
  'PowerMeterFailure',
  'PowerSwitchFailure',
  'UnderVoltage',
  'OtherError',
];

/**
 * Relative arrivals at a public charger: commuters in the morning and residents in the evening on
 * weekdays; shoppers around midday at weekends; few at night.
 */
export function arrivals(hour: number, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  if (weekend) return 0.05 + (weekday === 0 ? 0.45 : 0.7) * bump(hour, 13, 3);
  return 0.05 + 0.8 * bump(hour, 8.5, 1.2) + 0.35 * bump(hour, 13, 2.5) + 0.9 * bump(hour, 18.5, 1.5);
}

/** How long a car arriving at a local hour stays plugged in, in hours: overnight from the evening. */
function dwellHours(hour: number, pick: () => number, lognormal: () => number): number {
  if (hour >= 17 || hour < 5) return ((24 + 7.5 - hour) % 24) + pick();
  if (hour >= 7 && hour < 10) return 7 + 2 * pick(); // a working day
  return clamp(lognormal(), 0.3, 6);
}

/** A car plugged in: its battery and when its driver comes back. */
interface Session {
  startedAt: number;
  chargingFrom: number;
  departAt: number;
  batteryKWh: number;
  soc: number;
  targetSoc: number;
  /** What the car's charger accepts, kW. */
  carMaxKW: number;
  energyKWh: number;
  power: number;
}

const full = (session: Session) => session.soc >= session.targetSoc - 1e-9;

/**
 * One connector of a public charging point. Cars arrive by hour and weekday, charge on a curve that
 * tapers above 80 % state of charge, within the power limit in force, and stay plugged in until
 * their driver comes back, often long after the battery is full (overnight, a working day).
 * Rarely the connector faults (OCPP error code) or its cable stays locked after a departure.
 */
class ChargerPhysics implements Physics<'evCharger'> {
  readonly kind = 'evCharger';
  readonly #context: ModelContext;
  readonly #rated: number;
  readonly #popularity: number;
  #limit: number | undefined;
  #available = true;
  #meter: number;
  #session: Session | undefined;
  #fault: { code: ErrorCode; until: number } | undefined;
  #temperature = 12;
  #finishingUntil = 0;
  readonly faults = {
    /** The connector has a ground fault; a technician comes within a day. */
    groundFailure: (now: Date) => {
      this.#fault = { code: 'GroundFailure', until: now.getTime() + 24 * HOUR_MS };
    },
  };

  constructor(context: ModelContext) {
    const { random } = context;
    this.#context = context;
    this.#rated = random.pick([11, 22, 22, 22, 50]);
    this.#popularity = random.between(0.4, 1.6);
    this.#meter = round(random.between(500, 40_000), 1);
  }

  init(now: Date): void {
    this.#temperature = this.#ambient(now.getTime());
  }

  advance(from: Date, to: Date, events: Events): void {
    for (let t = from.getTime(); t < to.getTime(); ) {
      const next = Math.min(to.getTime(), t + STEP_MS);
      this.#step(t, next, events);
      t = next;
    }
  }

  #step(from: number, to: number, events: Events): void {
    const { random, city } = this.#context;
    const hours = (to - from) / HOUR_MS;
    if (this.#fault) {
      if (to >= this.#fault.until) this.#clearFault(events);
    } else if (occurs(random, FAULTS_PER_HOUR, hours)) {
      this.#raiseFault(random.pick(HARDWARE_FAULTS), to, events);
    }
    const session = this.#session;
    if (session && !this.#fault) {
      if (to >= session.departAt) this.#depart(to, events);
      else this.#charge(session, from, to);
    } else if (!session && !this.#fault && this.#available && to >= this.#finishingUntil) {
      const { hour, weekday } = localClock(new Date(to), city.timezone);
      if (occurs(random, ARRIVALS_PER_HOUR * this.#popularity * arrivals(hour, weekday), hours))
        this.#arrive(to, hour, events);
    }
    // Heats with the power it passes, cools towards the air around it over about half an hour.
    const target = this.#ambient(to) + 0.9 * (this.#session?.power ?? 0);
    this.#temperature += (target - this.#temperature) * (1 - Math.exp(-hours * 2));
  }

  #arrive(at: number, hour: number, events: Events): void {
    const { random } = this.#context;
    const soc = random.between(0.1, 0.6);
    this.#session = {
      startedAt: at,
      chargingFrom: at + PREPARING_MS,
      departAt:
        at +
        dwellHours(
          hour,
          () => random.next(),
          () => Math.exp(random.normal(0.5, 0.6)),
        ) *
          HOUR_MS,
      batteryKWh: random.pick([40, 52, 60, 77, 82]),
      soc,
      targetSoc: random.pick([0.8, 0.9, 1]),
      carMaxKW: random.pick([7.4, 11, 11, 22, 50]),
      energyKWh: 0,
      power: 0,
    };
    events.push({ type: 'sessionStarted' });
  }

  /** The power the connector offers: the operator's limit, if any, within its rating. */
  #offered(): number {
    return Math.min(this.#rated, this.#limit ?? this.#rated);
  }

  #charge(session: Session, from: number, to: number): void {
    if (to <= session.chargingFrom) return;
    const start = Math.max(from, session.chargingFrom);
    // Constant power up to 80 %, then tapering linearly to a tenth of it at 100 %.
    const taper = session.soc <= 0.8 ? 1 : clamp(1 - 4.5 * (session.soc - 0.8), 0.1, 1);
    const power = full(session) ? 0 : Math.min(this.#offered(), session.carMaxKW) * taper;
    const energy = Math.min(
      power * ((to - start) / HOUR_MS),
      (session.targetSoc - session.soc) * session.batteryKWh,
    );
    session.power = power;
    session.energyKWh += Math.max(0, energy);
    session.soc += Math.max(0, energy) / session.batteryKWh;
    this.#meter += Math.max(0, energy);
  }

  #depart(at: number, events: Events): void {
    this.#endSession(at, events);
    this.#finishingUntil = at + 30_000;
    // A stuck cable blocks the bay until an operator unlocks it remotely or a technician comes.
    if (this.#context.random.chance(STUCK_SHARE)) this.#raiseFault('ConnectorLockFailure', at, events);
  }

  #endSession(at: number, events: Events): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    events.push({
      type: 'sessionEnded',
      values: {
        sessionEnergy: round(session.energyKWh, 3),
        sessionDuration: Math.round((at - session.startedAt) / 1000),
      },
    });
  }

  /** A fault lasts until a technician comes, within a working day or two (or a command clears it). */
  #raiseFault(code: ErrorCode, at: number, events: Events): void {
    this.#fault = { code, until: at + this.#context.random.between(2, 30) * HOUR_MS };
    this.#endSession(at, events);
    events.push({ type: 'fault', values: { errorCode: code } });
  }

  #clearFault(events: Events): void {
    this.#fault = undefined;
    events.push({ type: 'faultCleared' });
  }

  #ambient(at: number): number {
    const { hour } = localClock(new Date(at), this.#context.city.timezone);
    return 10 + 5 * bump(hour, 15, 4);
  }

  command(command: Command<'evCharger'>, now: Date, events: Events): CommandOutcome {
    const at = now.getTime();
    switch (command.action) {
      case 'setPowerLimit':
        this.#limit = command.kW;
        return command.kW > this.#rated
          ? { status: 'succeeded', reason: 'limitedByRating' }
          : { status: 'succeeded' };
      case 'setAvailability':
        this.#available = command.availability === 'available';
        return this.#session && !this.#available
          ? { status: 'succeeded', reason: 'deferred' }
          : { status: 'succeeded' };
      case 'unlockConnector':
        if (this.#fault?.code === 'ConnectorLockFailure') this.#clearFault(events);
        else this.#endSession(at, events);
        return { status: 'succeeded' };
      case 'reset': {
        if (this.#fault && NEEDS_TECHNICIAN.includes(this.#fault.code))
          return { status: 'failed', reason: 'deviceFault' };
        this.#endSession(at, events);
        if (this.#fault) this.#clearFault(events);
        if (command.type === 'hard') this.#limit = undefined;
        events.push({ type: 'rebooted', values: { resetType: command.type } });
        return { status: 'succeeded' };
      }
    }
  }

  #status(at: number): Metrics['connectorStatus'] {
    const session = this.#session;
    if (this.#fault) return 'Faulted';
    if (!session) {
      if (at < this.#finishingUntil) return 'Finishing';
      return this.#available ? 'Available' : 'Unavailable';
    }
    if (at < session.chargingFrom) return 'Preparing';
    if (full(session)) return 'SuspendedEV';
    return this.#offered() === 0 ? 'SuspendedEVSE' : 'Charging';
  }

  read(now: Date): Metrics {
    const at = now.getTime();
    const status = this.#status(at);
    const session = this.#session;
    return {
      connectorStatus: status,
      errorCode: this.#fault?.code ?? 'NoError',
      activePower: status === 'Charging' ? round(session?.power ?? 0, 2) : 0,
      sessionEnergy: round(session?.energyKWh ?? 0, 3),
      cumulativeEnergy: round(this.#meter, 3),
      sessionDuration: session ? Math.round((at - session.startedAt) / 1000) : 0,
      powerLimit: this.#offered(),
      ratedPower: this.#rated,
      temperature: round(this.#temperature, 1),
    };
  }
}

export function createEvCharger(context: ModelContext): DeviceModel<'evCharger'> {
  return simulate(new ChargerPhysics(context));
}
