import { redisScenarios } from '../../idempotency/test/http-redis-scenarios.ts';
import { startFastify } from './idempotency-app.ts';

redisScenarios('Fastify', startFastify);
