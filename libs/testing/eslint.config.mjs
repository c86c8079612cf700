import base, { allow } from '../../eslint.config.mjs';

// The harness counts what became of a run straight from a test's database.
export default [...base, ...allow('bullmq', 'prisma')];
