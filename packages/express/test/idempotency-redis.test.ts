import { redisScenarios } from '../../idempotency/test/http-redis-scenarios.ts';
import { startExpress } from './idempotency-app.ts';

redisScenarios('Express', startExpress);
