import { breakwaterProject } from '../../vitest.shared.ts';

export default breakwaterProject('rate-limit');
