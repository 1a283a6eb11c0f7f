import { breakwaterProject } from '../../vitest.shared.ts';

export default breakwaterProject('circuit-breaker');
