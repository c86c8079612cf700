import base, { allow } from '../../eslint.config.mjs';

// The local platform creates Kafka topics (kafkajs) and PostgreSQL databases (pg) itself: it runs
// before any Herald library can.
export default [...base, ...allow('kafkajs', 'prisma')];
