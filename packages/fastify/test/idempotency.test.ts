import { idempotencyScenarios } from '../../idempotency/test/http-scenarios.ts';
import { startFastify } from './idempotency-app.ts';

idempotencyScenarios('Fastify', startFastify);
