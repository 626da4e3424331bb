import type { Codec } from '../codec.ts';
import { milesightEm310Udl } from './milesight-em310-udl.ts';
import { nasUl20xx } from './nas-ul20xx.ts';

/** The codecs built into the agent, by the name a device model gives as its `codec`. */
export const builtInCodecs: Readonly<Record<string, Codec>> = {
  'milesight-em310-udl': milesightEm310Udl,
  'nas-ul20xx': nasUl20xx,
};
