import { redisResponseCacheScenarios } from '../../cache/test/http-scenarios.ts';
import { startExpressCache } from './response-cache-app.ts';

redisResponseCacheScenarios('Express', startExpressCache);
