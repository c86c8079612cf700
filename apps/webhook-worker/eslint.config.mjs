import base, { allow } from '../../eslint.config.mjs';

export default [...base, ...allow('bullmq')];
