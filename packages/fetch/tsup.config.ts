import { defineBreakwaterBuild } from '../../tsup.config.base.ts';

export default defineBreakwaterBuild({ index: 'src/index.ts' });
