// @ts-check
/**
 * A local Apache Kafka broker (KRaft, one combined broker+controller node) from Maven Central.
 * tools/platform/kafka/ holds what it is made of: pom.xml (the broker and its dependencies),
 * server.properties and log4j2.properties. Under .local/kafka/ (another port P: .local/kafka-P/):
 *   libs/               the jars Maven copied (shared by every port), with .pom.sha256, the hash
 *                       of the pom they came from (resolved again when it changes)
 *   server.properties   written from the template at every start
 *   server.log          the broker's log; kafka.log its JVM's output; kafka.pid; data/ (formatted once)
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { isPortOpen } from '@herald/process';
import { daemonService } from './daemon.mjs';
import { localPath, platformDir } from './paths.mjs';
import { commandExists, run } from './system.mjs';
const { Kafka, logLevel } = kafkajs;

/** The broker's version (must match tools/platform/kafka/pom.xml). */
export const KAFKA_VERSION = '4.1.1';
const MAIN_CLASS = 'kafka.Kafka';
const config = (/** @type {string} */ name) => path.join(platformDir, 'kafka', name);

/** The folder of the broker listening on `port`. */
export const kafkaDir = (port = 9092) => (port === 9092 ? localPath('kafka') : localPath(`kafka-${port}`));

/** Whether a Kafka broker with a controller answers a metadata request on 127.0.0.1:port. */
export async function kafkaAnswers(port = 9092) {
  if (!(await isPortOpen({ port, timeoutMs: 1000 }))) return false;
  const admin = new Kafka({ clientId: 'herald-platform-probe', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 3000, retry: { retries: 0 } }).admin();
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

/**
 * The broker on 127.0.0.1:port as a platform service. The first start resolves its jars with Maven
 * (minutes with an empty ~/.m2); later ones take seconds. `up` also creates Herald's topics.
 */
export function kafkaService({ port = 9092, controllerPort = 9093 } = {}) {
  const dir = kafkaDir(port);
  return daemonService({
    name: 'kafka',
    port,
    scheme: 'kafka',
    dir,
    file: 'kafka',
    match: MAIN_CLASS,
    answers: () => kafkaAnswers(port),
    conflict: async () => {
      for (const p of [port, controllerPort]) {
        if (await isPortOpen({ port: p })) return `port ${p} on 127.0.0.1 is taken by something that is not a Kafka broker answering metadata requests; free it or choose other ports`;
      }
      return commandExists('java') ? null : 'java is not on PATH (Kafka 4.x needs Java 17+); install a JDK, e.g. apt-get install openjdk-17-jre-headless';
    },
    command: async (log) => {
      const libs = await resolveJars(log);
      const dataDir = path.join(dir, 'data');
      const serverProperties = path.join(dir, 'server.properties');
      const values = { port: String(port), controllerPort: String(controllerPort), dataDir };
      writeFileSync(serverProperties, readFileSync(config('server.properties'), 'utf8').replace(/\$\{(\w+)\}/g, (_, key) => values[/** @type {keyof typeof values} */ (key)] ?? ''));
      const java = ['-cp', `${libs}/*`, `-Dlog4j2.configurationFile=${config('log4j2.properties')}`, `-Dkafka.logs.dir=${dir}`];
      if (!existsSync(path.join(dataDir, 'meta.properties'))) {
        // A Kafka Uuid as StorageTool random-uuid makes it: URL-safe base64 of 16 bytes, not starting with '-'.
        let clusterId = '-';
        while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
        log(`kafka: formatting storage in ${dataDir} (cluster id ${clusterId})`);
        const format = await run('java', ['-Xmx256m', ...java, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', serverProperties], { cwd: dir });
        if (format.code !== 0) throw new Error(`kafka: formatting the storage failed (exit ${format.code}):\n${format.output}`);
      }
      log(`kafka: starting broker on 127.0.0.1:${port} (controller ${controllerPort}); logs in ${path.join(dir, 'server.log')}`);
      const jvm = ['-Xmx512m', '-Xms256m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];
      return { command: 'java', args: [...jvm, ...java, MAIN_CLASS, serverProperties], cwd: dir };
    },
    timeoutMs: 90_000,
    graceMs: 30_000,
    intervalMs: 500,
    moreLogs: [path.join(dir, 'server.log')],
    afterUp: async (_, { topicPrefix = '', createTopics = true }) => {
      if (!createTopics) return '';
      const { ensureTopics, heraldTopicSpecs } = createRequire(import.meta.url)('@herald/kafka');
      const kafka = new Kafka({ clientId: 'herald-platform', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
      /** @type {Array<{ topic: string, created: boolean, partitions: number }>} */
      const topics = await ensureTopics(kafka, heraldTopicSpecs(topicPrefix.replace(/\.$/, '')));
      const made = topics.filter((t) => t.created).length;
      return `; topics ${topics.map((t) => `${t.topic}(${t.partitions})`).join(' ')}${made ? ` (${made} created)` : ''}`;
    },
  });
}

/**
 * The broker's jars in .local/kafka/libs, resolved with Maven unless those there came from the
 * same pom. Maven copies into libs.tmp, renamed into place once complete. Throws with Maven's output.
 * @param {(line: string) => void} log
 */
async function resolveJars(log) {
  const libs = path.join(localPath('kafka'), 'libs');
  const marker = path.join(libs, '.pom.sha256');
  const pomHash = createHash('sha256').update(readFileSync(config('pom.xml'))).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomHash && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  if (!commandExists('mvn')) throw new Error('kafka: Maven (mvn) is not on PATH; it is needed once to resolve the broker jars (apt-get install maven)');
  log(`kafka: resolving Kafka ${KAFKA_VERSION} and its dependencies with Maven into ${libs} (first run; this can take a few minutes)`);
  const started = Date.now();
  const tmp = `${libs}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', config('pom.xml'), 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'];
  const progress = setInterval(() => log(`kafka: Maven still resolving (${Math.round((Date.now() - started) / 1000)}s)`), 15_000);
  const result = await run('mvn', args, { cwd: path.join(platformDir, 'kafka') }).finally(() => clearInterval(progress));
  if (result.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`kafka: Maven could not resolve the broker (mvn ${args.join(' ')} exited with ${result.code}). Maven's output:\n${result.output}`);
  }
  rmSync(libs, { recursive: true, force: true });
  renameSync(tmp, libs);
  writeFileSync(marker, `${pomHash}\n`);
  log(`kafka: ${readdirSync(libs).filter((f) => f.endsWith('.jar')).length} jars resolved in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return libs;
}
