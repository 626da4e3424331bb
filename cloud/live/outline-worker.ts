import { answerOnce } from '../lifecycle/answer-thread.ts';
import { type DistrictPoints, outlinesOf } from './outline.ts';

/** The district outlines' thread (outlines-thread.ts): the outlines of the districts' points it is given. */
answerOnce((districts: DistrictPoints[]) => ({ answer: outlinesOf(districts) }));
