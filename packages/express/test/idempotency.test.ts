import { idempotencyScenarios } from '../../idempotency/test/http-scenarios.ts';
import { startExpress } from './idempotency-app.ts';

idempotencyScenarios('Express', startExpress);
