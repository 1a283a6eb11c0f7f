// `pnpm start`: a quotes SDK wrapped with @breakwater/fetch against two local fake origins — a
// primary with a slow tail and a fast replica — plus a burst of 429s. Prints what happened.
import { resilientQuotes } from './resilient-quotes.ts';
import { startFakeQuotesApi } from './fake-quotes-api.ts';

const primary = await startFakeQuotesApi('primary');
const replica = await startFakeQuotesApi('replica');
// One request in five takes 800 ms on the primary; the replica answers in 10 ms.
let n = 0;
primary.setLatency(() => (++n % 5 === 0 ? 800 : 5));
replica.setLatency(10);

const { client, fetch } = resilientQuotes({ baseUrl: primary.url, replicaUrl: replica.url });
let hedges = 0;
let retries = 0;
fetch.onHedge(() => void hedges++);
fetch.onRetry(({ delayMs }) => {
  retries++;
  console.log(`  retry after ${delayMs} ms (the server asked)`);
});

const servedBy = new Map<string, number>();
const latencies: number[] = [];
for (let i = 0; i < 50; i++) {
  const started = performance.now();
  const quote = await client.quote(`SYM${i}`);
  latencies.push(performance.now() - started);
  servedBy.set(quote.served_by, (servedBy.get(quote.served_by) ?? 0) + 1);
}
console.log('rate limited for a moment: both origins answer 429 with RateLimit: t=1');
primary.rateLimitNext(2, 1);
replica.rateLimitNext(2, 1);
const limited = await client.quote('AFTER-429');

latencies.sort((a, b) => a - b);
console.log(`\n50 quotes: p50 ${latencies[24]!.toFixed(0)} ms, max ${latencies[49]!.toFixed(0)} ms (the primary's slow tail is 800 ms)`);
console.log(`served by ${[...servedBy].map(([who, count]) => `${who} ${count}`).join(', ')}; hedges sent ${hedges}; slow primary requests abandoned ${primary.stats.abandoned}`);
console.log(`after the 429s: ${limited.symbol} from ${limited.served_by}, ${retries} retries`);
await Promise.all([primary.close(), replica.close()]);
