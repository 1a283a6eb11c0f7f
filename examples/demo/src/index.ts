export { LatencyHistogram } from './latency-histogram.ts';
export { generateLoad, type LoadOptions, type LoadResult, type Outcome } from './load-generator.ts';
export { runSchedule, type Phase } from './fault-schedule.ts';
export { Progress } from './terminal.ts';
