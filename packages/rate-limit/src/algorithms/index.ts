import type { Algorithm, AlgorithmName } from './algorithm.ts';
import { fixedWindow } from './fixed-window.ts';
import { gcra } from './gcra.ts';
import { slidingWindow } from './sliding-window.ts';
import { tokenBucket } from './token-bucket.ts';

export const ALGORITHMS: Readonly<Record<AlgorithmName, Algorithm>> = {
  gcra,
  'token-bucket': tokenBucket,
  'sliding-window': slidingWindow,
  'fixed-window': fixedWindow,
};
