import { breakwaterProject } from '../../vitest.shared.ts';

export default breakwaterProject('example-resilient-client');
