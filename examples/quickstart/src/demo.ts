// `./bw demo` (or `pnpm demo`): the quick tour. Starts a local flaky upstream, runs 16 callers through
// timeout → retry → circuit breaker → bulkhead → attempt timeout for about 20 seconds while the upstream
// goes healthy → flaky → slow → down → healthy, then prints what each policy did.
import { formatSummary, runDemo } from './run-demo.ts';

const phaseMs = Number(process.env.DEMO_PHASE_MS ?? 4_000);
const summary = await runDemo({ phaseMs });
console.log(formatSummary(summary));
