// `pnpm bank`: the fake bank alone, for several payments instances to share (BANK_PORT, default 4000).
import { startFakeBank } from './fake-bank.ts';

const bank = await startFakeBank({ port: Number(process.env.BANK_PORT ?? 4000) });
console.log(`fake bank listening on ${bank.url}`);
process.once('SIGTERM', () => void bank.close());
process.once('SIGINT', () => void bank.close());
