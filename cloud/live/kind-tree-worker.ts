import { answerOnce } from '../lifecycle/answer-thread.ts';
import { treeOfPoints } from './kind-trees.ts';

/** A kind tree's thread (`treeInThread`, kind-trees.ts): the tree of the points it is given, handed back. */
answerOnce((points: Float64Array) => {
  const tree = treeOfPoints(points);
  return { answer: tree, transfer: [tree] };
});
