// Runs one group in this process and prints its results as one JSON line: run by run.ts.
import type { BenchGroup } from './group.ts';
import { measureCase, type CaseResult } from './measure.ts';

const [groupName, order = 'forward'] = process.argv.slice(2);
if (!groupName) throw new Error('usage: group-process.ts <group> [forward|reverse]');

// A bounded run: a watchdog ends a process that hangs instead of letting CI wait.
const watchdog = setTimeout(() => {
  console.error(`bench group ${groupName} exceeded 5 minutes`);
  process.exit(2);
}, 300_000);
watchdog.unref();

const { group } = (await import(`./groups/${groupName}.ts`)) as { group: BenchGroup };
const cases = await group.setup();
const names = Object.keys(cases);
if (order === 'reverse') names.reverse();

const results: CaseResult[] = [];
for (const name of names) {
  results.push(await measureCase(name, cases[name]!));
  process.stderr.write('.');
}
await group.teardown?.();
process.stderr.write('\n');
process.stdout.write(`${JSON.stringify({ group: groupName, title: group.title, baseline: group.baseline, comparisons: group.comparisons ?? [], order, results })}\n`);
