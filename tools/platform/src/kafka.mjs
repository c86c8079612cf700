// @ts-check
/**
 * A local Apache Kafka broker (KRaft, one combined broker+controller node) resolved from Maven
 * Central, plus topic helpers.
 *
 * Layout under .local/kafka/ (default ports; another port P uses .local/kafka-P/ for its data):
 *   libs/               broker jars copied by Maven from tools/platform/kafka/pom.xml (shared)
 *   libs/.pom.sha256    hash of the pom the jars came from (jars re-resolved when it changes)
 *   server.properties   written on every start
 *   log4j2.properties   broker logging config (logs go to server.log, rolled at 20 MB x 5)
 *   server.log          the broker's log4j output
 *   kafka.log           the JVM's stdout/stderr (startup failures land here)
 *   kafka.pid           pid of the java process we started
 *   data/               log.dirs; formatted once (data/meta.properties)
 */
import { randomBytes, createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { localPath, platformDir } from './paths.mjs';
import { ensureDaemon, isPortOpen, runningPidFromFile, stopPidFile } from '@herald/process';
import { commandExists, run } from './system.mjs';
const { Kafka, logLevel } = kafkajs;

/** The Maven coordinates of the broker (must match tools/platform/kafka/pom.xml). */
export const KAFKA_VERSION = '4.1.1';
export const KAFKA_ARTIFACT = `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`;
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const POM = path.join(platformDir, 'kafka', 'pom.xml');
const MAIN_CLASS = 'kafka.Kafka';
const START_TIMEOUT_MS = 90_000;

/** @typedef {(line: string) => void} LogFn */

/**
 * @typedef {object} KafkaHandle
 * @property {string[]} brokers e.g. ['127.0.0.1:9092']
 * @property {boolean} startedByUs true when this call started the broker
 * @property {number | null} pid pid of the broker when it was started by this tooling (now or by
 *   an earlier call whose process is still running), else null
 * @property {string} dir the folder holding its config, logs and data
 * @property {() => Promise<void>} stop stops the broker when startedByUs, else does nothing
 */

/**
 * The folder of the broker listening on `port`.
 * @param {number} port
 * @returns {string}
 */
export function kafkaDir(port = 9092) {
  return port === 9092 ? localPath('kafka') : localPath(`kafka-${port}`);
}

/**
 * Whether a Kafka broker answers a metadata request on 127.0.0.1:port.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {string} [options.host]
 * @param {number} [options.timeoutMs]
 * @returns {Promise<boolean>}
 */
export async function kafkaAnswers({ port = 9092, host = '127.0.0.1', timeoutMs = 3000 } = {}) {
  if (!(await isPortOpen({ port, host, timeoutMs: Math.min(timeoutMs, 1000) }))) return false;
  const admin = new Kafka({
    clientId: 'herald-platform-probe',
    brokers: [`${host}:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** @param {number} port */
const kafkaPidFile = (port) => path.join(kafkaDir(port), 'kafka.pid');

/**
 * The pid of the broker this tooling started on `port`, while it runs; else null.
 * @param {number} [port]
 */
export const runningKafkaPid = (port = 9092) => runningPidFromFile(kafkaPidFile(port), MAIN_CLASS);

/**
 * Make sure a Kafka broker answers on 127.0.0.1:port, starting one when nothing does.
 *
 * Idempotent: reuses a broker that answers (whoever started it), and waits for one that this
 * tooling started earlier and that is still coming up, rather than starting a second one.
 * The first start resolves the broker jars with Maven (minutes when ~/.m2 is empty); later starts
 * skip Maven and take seconds.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {number} [options.controllerPort]
 * @param {LogFn} [options.log]
 * @param {number} [options.timeoutMs] how long to wait for the broker to answer (default 90 s)
 * @returns {Promise<KafkaHandle>}
 */
export async function ensureKafka({ port = 9092, controllerPort = 9093, log = console.log, timeoutMs = START_TIMEOUT_MS } = {}) {
  const dir = kafkaDir(port);
  const brokers = [`127.0.0.1:${port}`];
  const logFile = path.join(dir, 'kafka.log');
  let started = 0;
  const { pid, startedByUs } = await ensureDaemon({
    name: 'kafka',
    pidFile: kafkaPidFile(port),
    logFile,
    lockFile: path.join(dir, 'start.lock'),
    match: MAIN_CLASS,
    answers: () => kafkaAnswers({ port }),
    conflict: async () => {
      for (const p of [port, controllerPort]) {
        if (await isPortOpen({ port: p })) return `port ${p} on 127.0.0.1 is taken by something that is not a Kafka broker answering metadata requests; free it or choose other ports ({ port, controllerPort })`;
      }
      return commandExists('java') ? null : 'java is not on PATH (Kafka 4.x needs Java 17+); install a JDK, e.g. apt-get install openjdk-17-jre-headless';
    },
    command: async () => {
      const libs = await resolveKafkaJars({ log });
      const { serverProperties, log4jProperties } = writeConfig({ dir, port, controllerPort });
      await formatStorageOnce({ dir, libs, serverProperties, log });
      appendFileSync(logFile, `--- ${new Date().toISOString()} starting ${MAIN_CLASS} on 127.0.0.1:${port} ---\n`);
      log(`kafka: starting broker on 127.0.0.1:${port} (controller ${controllerPort}); logs in ${path.join(dir, 'server.log')}`);
      started = Date.now();
      const jvm = ['-Xmx512m', '-Xms256m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];
      return { command: 'java', args: [...jvm, `-Dlog4j2.configurationFile=${log4jProperties}`, `-Dkafka.logs.dir=${dir}`, '-cp', `${libs}/*`, MAIN_CLASS, serverProperties], cwd: dir };
    },
    timeoutMs,
    intervalMs: 500,
    moreLogs: [path.join(dir, 'server.log')],
    log,
  });
  if (startedByUs) log(`kafka: broker answering on 127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)}s (pid ${pid})`);
  return {
    brokers,
    startedByUs,
    pid,
    dir,
    stop: async () => {
      if (startedByUs) await stopKafka({ port });
    },
  };
}

/**
 * Stop the broker that this tooling started on `port` (found through its pid file). Never touches
 * a broker started some other way.
 * @param {object} [options]
 * @param {number} [options.port]
 * @param {number} [options.graceMs] time for a clean shutdown before SIGKILL (default 30 s)
 * @returns {Promise<'not-running' | 'terminated' | 'killed' | 'mismatch'>}
 */
export async function stopKafka({ port = 9092, graceMs = 30_000 } = {}) {
  return stopPidFile(kafkaPidFile(port), { graceMs, expect: MAIN_CLASS });
}

/**
 * Resolve the broker jars into .local/kafka/libs with Maven, unless the jars already there came
 * from the same pom. Throws with Maven's exact output when Maven fails.
 * @param {object} [options]
 * @param {LogFn} [options.log]
 * @returns {Promise<string>} the libs folder
 */
export async function resolveKafkaJars({ log = console.log } = {}) {
  const libs = path.join(localPath('kafka'), 'libs');
  const marker = path.join(libs, '.pom.sha256');
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex');
  const haveJars = existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'));
  if (haveJars && existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomHash) return libs;

  if (!commandExists('mvn')) {
    throw new Error('kafka: Maven (mvn) is not on PATH; it is needed once to resolve the broker jars (apt-get install maven)');
  }
  log(`kafka: resolving ${KAFKA_ARTIFACT} and its dependencies with Maven into ${libs} (first run; this can take a few minutes)`);
  const started = Date.now();
  const tmp = `${libs}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const args = [
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    POM,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${tmp}`,
    '-DincludeScope=runtime',
  ];
  const progress = setInterval(() => log(`kafka: Maven still resolving (${Math.round((Date.now() - started) / 1000)}s)`), 15_000);
  let result;
  try {
    result = await run('mvn', args, { cwd: path.dirname(POM) });
  } finally {
    clearInterval(progress);
  }
  if (result.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`kafka: Maven could not resolve the broker (mvn ${args.join(' ')} exited with ${result.code}). Maven's output:\n${result.output}`);
  }
  rmSync(libs, { recursive: true, force: true });
  // rename the finished folder into place so a half-copied libs/ never passes for complete
  renameSync(tmp, libs);
  writeFileSync(marker, `${pomHash}\n`);
  log(`kafka: ${readdirSync(libs).filter((f) => f.endsWith('.jar')).length} jars resolved in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return libs;
}

/**
 * @param {object} options
 * @param {string} options.dir
 * @param {number} options.port
 * @param {number} options.controllerPort
 * @returns {{ serverProperties: string, log4jProperties: string }}
 */
function writeConfig({ dir, port, controllerPort }) {
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const serverProperties = path.join(dir, 'server.properties');
  writeFileSync(
    serverProperties,
    `# Written by tools/platform/src/kafka.mjs on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}

auto.create.topics.enable=false
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# small machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1

# modest retention: a day, at most 256 MiB per partition, 64 MiB segments
log.retention.hours=24
log.retention.bytes=268435456
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
`,
  );
  const log4jProperties = path.join(dir, 'log4j2.properties');
  writeFileSync(
    log4jProperties,
    `# Written by tools/platform/src/kafka.mjs. Broker logs go to server.log next to this file.
status = warn
name = herald-local-kafka
# Kafka logs from its own shutdown hook: keep log4j alive until the JVM is gone.
shutdownHook = disable

appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.filePattern = \${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 5

rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE

logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.network.name = kafka.network.RequestChannel$
logger.network.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
logger.zk.name = org.apache.zookeeper
logger.zk.level = WARN
`,
  );
  return { serverProperties, log4jProperties };
}

/**
 * Format the KRaft storage when it has never been formatted (no data/meta.properties).
 * @param {object} options
 * @param {string} options.dir
 * @param {string} options.libs
 * @param {string} options.serverProperties
 * @param {LogFn} options.log
 */
async function formatStorageOnce({ dir, libs, serverProperties, log }) {
  if (existsSync(path.join(dir, 'data', 'meta.properties'))) return;
  const clusterId = randomKafkaUuid();
  log(`kafka: formatting storage in ${path.join(dir, 'data')} (cluster id ${clusterId})`);
  const result = await run(
    'java',
    [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${dir}`,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      serverProperties,
    ],
    { cwd: dir },
  );
  if (result.code !== 0) {
    throw new Error(`kafka: formatting the storage failed (exit ${result.code}):\n${result.output}`);
  }
}

/**
 * A random Kafka Uuid as StorageTool random-uuid prints it (URL-safe base64 of 16 bytes, no
 * padding, never starting with '-').
 * @returns {string}
 */
function randomKafkaUuid() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Creates Herald's topics under a prefix (north-updates and south-updates with 6 partitions, their
 * dead letters with 1; `P.north-updates` for a prefix P, a trailing '.' allowed) where missing,
 * with @herald/kafka's list and ensureTopics (built first by npm start and npm test).
 * @param {{ brokers: string[], prefix?: string }} options
 * @returns {Promise<Array<{ topic: string, created: boolean, partitions: number }>>}
 */
export async function ensureHeraldTopics({ brokers, prefix = '' }) {
  const { ensureTopics, heraldTopicSpecs } = createRequire(import.meta.url)('@herald/kafka');
  const kafka = new Kafka({ clientId: 'herald-platform', brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  return ensureTopics(kafka, heraldTopicSpecs(prefix.replace(/\.$/, '')));
}
