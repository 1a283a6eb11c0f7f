import { redisResponseCacheScenarios } from '../../cache/test/http-scenarios.ts';
import { startFastifyCache } from './response-cache-app.ts';

redisResponseCacheScenarios('Fastify', startFastifyCache);
