/**
 * Bad values fail to render, with a message that names the value and says what is wrong: the
 * JSON schema (values.schema.json) for types, bounds, unknown names and weakened security, the
 * templates for what spans several values. Each case has a passing counterpart, so that a
 * rejection is never an accident of something else.
 */
import { cleanupCharts, render } from './support/helm';

afterAll(() => cleanupCharts());

interface Case {
  what: string;
  chart: string;
  values: object;
  message: RegExp;
}

const cases: Case[] = [
  // Types, bounds and names: values.schema.json.
  { what: 'a misspelt Herald variable', chart: 'email-worker', values: { config: { LOG_LEVLE: 'debug' } }, message: /config: Additional property LOG_LEVLE is not allowed/ },
  { what: 'a value outside an enum', chart: 'ingest-api', values: { config: { LOG_LEVEL: 'loud' } }, message: /config\.LOG_LEVEL: config\.LOG_LEVEL must be one of the following: "fatal", "error", "warn", "info", "debug", "trace", "silent"/ },
  { what: 'a number below the app\'s minimum', chart: 'email-worker', values: { config: { WORKER_CONCURRENCY: 0 } }, message: /config\.WORKER_CONCURRENCY: Must be greater than or equal to 1/ },
  { what: 'a number above the app\'s maximum', chart: 'ingest-api', values: { config: { BODY_LIMIT_BYTES: 20_000_000 } }, message: /config\.BODY_LIMIT_BYTES: Must be less than or equal to (10485760|1\.048576e\+07)/ },
  { what: 'a string where a number goes', chart: 'kafka-bridge', values: { config: { NORTH_BATCH_SIZE: 'lots' } }, message: /config\.NORTH_BATCH_SIZE: Invalid type\. Expected: integer, given: string/ },
  { what: 'a secret in config', chart: 'ingest-api', values: { config: { DATABASE_URL: 'postgresql://herald:hunter2@db:5432/herald' } }, message: /config: Additional property DATABASE_URL is not allowed/ },
  { what: 'a variable the chart manages, in config', chart: 'sms-worker', values: { config: { HEALTH_PORT: 9999 } }, message: /config: Additional property HEALTH_PORT is not allowed/ },
  { what: 'a broker without a port', chart: 'kafka-bridge', values: { kafka: { brokers: ['kafka'] } }, message: /kafka\.brokers\.0: Does not match pattern/ },
  { what: 'no broker', chart: 'ingest-api', values: { kafka: { brokers: [] } }, message: /kafka\.brokers: Array must have at least 1 items/ },
  { what: 'an unknown top-level value', chart: 'ingest-api', values: { replicas: 3 }, message: /\(root\): Additional property replicas is not allowed/ },
  { what: 'replicaCount as a string', chart: 'email-worker', values: { replicaCount: 'two' }, message: /replicaCount: Invalid type\. Expected: integer, given: string/ },
  { what: 'an image digest that is not sha256', chart: 'ingest-api', values: { image: { digest: 'latest' } }, message: /image\.digest: Does not match pattern/ },
  { what: 'a drain shorter than a second', chart: 'sms-worker', values: { drain: { shutdownGraceMs: 10 } }, message: /drain\.shutdownGraceMs: Must be greater than or equal to 1000/ },
  { what: 'a Secret reference without a name', chart: 'email-worker', values: { smtp: { existingSecret: '' } }, message: /smtp\.existingSecret: String length must be greater than or equal to 1/ },
  { what: 'an SMS gateway URL that is not http(s)', chart: 'sms-worker', values: { smsProvider: { url: 'ftp://gateway' } }, message: /smsProvider\.url: Does not match pattern/ },
  // Hardening cannot be switched off from values.
  { what: 'runAsNonRoot false', chart: 'ingest-api', values: { containerSecurityContext: { runAsNonRoot: false } }, message: /containerSecurityContext\.runAsNonRoot does not match: true/ },
  { what: 'root user', chart: 'kafka-bridge', values: { podSecurityContext: { runAsUser: 0 } }, message: /podSecurityContext\.runAsUser: Must be greater than or equal to 1/ },
  { what: 'privilege escalation', chart: 'email-worker', values: { containerSecurityContext: { allowPrivilegeEscalation: true } }, message: /containerSecurityContext\.allowPrivilegeEscalation does not match: false/ },
  { what: 'a writable root filesystem', chart: 'sms-worker', values: { containerSecurityContext: { readOnlyRootFilesystem: false } }, message: /containerSecurityContext\.readOnlyRootFilesystem does not match: true/ },
  { what: 'capabilities not all dropped', chart: 'ingest-api', values: { containerSecurityContext: { capabilities: { drop: ['NET_RAW'] } } }, message: /containerSecurityContext\.capabilities\.drop: At least one of the items must match/ },
  { what: 'an added capability', chart: 'ingest-api', values: { containerSecurityContext: { capabilities: { add: ['NET_ADMIN'] } } }, message: /containerSecurityContext\.capabilities\.add: Array must have at most 0 items/ },
  { what: 'seccomp Unconfined', chart: 'kafka-bridge', values: { podSecurityContext: { seccompProfile: { type: 'Unconfined' } } }, message: /podSecurityContext\.seccompProfile\.type: podSecurityContext\.seccompProfile\.type must be one of the following: "RuntimeDefault", "Localhost"/ },
  { what: 'a privileged container', chart: 'email-worker', values: { containerSecurityContext: { privileged: true } }, message: /containerSecurityContext\.privileged does not match: false/ },
  { what: 'no CPU request', chart: 'ingest-api', values: { resources: { requests: { cpu: null } } }, message: /resources\.requests: cpu is required/ },
  { what: 'no memory limit', chart: 'email-worker', values: { resources: { limits: { memory: null } } }, message: /resources\.limits: memory is required/ },
  // Across values: the templates.
  { what: 'HPA and KEDA together', chart: 'email-worker', values: { autoscaling: { enabled: true }, keda: { enabled: true } }, message: /email-worker: autoscaling\.enabled and keda\.enabled are both true: choose one/ },
  { what: 'KEDA with every trigger off', chart: 'kafka-bridge', values: { keda: { enabled: true, redis: { enabled: false }, kafka: { enabled: false } } }, message: /kafka-bridge: keda\.enabled is true but every KEDA trigger is switched off/ },
  { what: 'a grace period shorter than preStop + drain', chart: 'ingest-api', values: { drain: { terminationGracePeriodSeconds: 30 } }, message: /ingest-api: drain\.terminationGracePeriodSeconds \(30\) must be longer than drain\.preStopSleepSeconds \+ drain\.shutdownGraceMs \(35 s\)/ },
  { what: 'a variable set twice (extraEnv over the chart)', chart: 'email-worker', values: { extraEnv: [{ name: 'SMTP_URL', value: 'smtp://user:secret@smtp:587' }] }, message: /email-worker: environment variable SMTP_URL is set twice/ },
  { what: 'a variable set twice (extraEnv over config)', chart: 'ingest-api', values: { config: { LOG_LEVEL: 'debug' }, extraEnv: [{ name: 'LOG_LEVEL', value: 'info' }] }, message: /ingest-api: environment variable LOG_LEVEL is set twice/ },
  { what: 'HPA min above max', chart: 'ingest-api', values: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } }, message: /ingest-api: autoscaling\.minReplicas \(5\) is above autoscaling\.maxReplicas \(2\)/ },
  { what: 'a PDB without a bound', chart: 'sms-worker', values: { pdb: { maxUnavailable: null, minAvailable: null } }, message: /sms-worker: pdb\.enabled needs pdb\.maxUnavailable or pdb\.minAvailable/ },
  { what: 'a ServiceMonitor without a Service', chart: 'email-worker', values: { service: { enabled: false }, serviceMonitor: { enabled: true } }, message: /email-worker: serviceMonitor\.enabled needs service\.enabled/ },
  { what: 'a ServiceMonitor that the NetworkPolicy would not let scrape', chart: 'kafka-bridge', values: { serviceMonitor: { enabled: true } }, message: /kafka-bridge: serviceMonitor\.enabled, but the NetworkPolicy admits no scraper: set networkPolicy\.metricsFrom/ },
  { what: 'a KEDA Redis address without a port', chart: 'sms-worker', values: { keda: { enabled: true, redis: { address: 'redis' } } }, message: /keda\.redis\.address: Does not match pattern/ },
  // Kafka TLS and SASL: the schema for each value, the templates (herald-common's _kafka.tpl) across them.
  { what: 'a SASL mechanism without a username', chart: 'ingest-api', values: { kafka: { sasl: { mechanism: 'scram-sha-512', password: { existingSecret: 'herald-kafka' } } } }, message: /ingest-api: kafka\.sasl\.mechanism is scram-sha-512 but kafka\.sasl\.username is empty: name the SASL user \(KAFKA_SASL_USERNAME\)/ },
  { what: 'a SASL mechanism without a password Secret', chart: 'kafka-bridge', values: { kafka: { sasl: { mechanism: 'plain', username: 'herald' } } }, message: /kafka-bridge: kafka\.sasl\.mechanism is plain but kafka\.sasl\.password\.existingSecret is empty: name the existing Secret holding KAFKA_SASL_PASSWORD/ },
  { what: 'a SASL password Secret without its key', chart: 'sms-worker', values: { kafka: { sasl: { mechanism: 'scram-sha-256', username: 'herald', password: { existingSecret: 'herald-kafka', existingSecretKey: '' } } } }, message: /sms-worker: kafka\.sasl\.password\.existingSecretKey is empty: name the key of Secret herald-kafka/ },
  { what: 'a SASL username with mechanism none', chart: 'email-worker', values: { kafka: { sasl: { username: 'herald' } } }, message: /email-worker: kafka\.sasl\.username or kafka\.sasl\.password\.existingSecret is set but kafka\.sasl\.mechanism is none: set the mechanism \(plain, scram-sha-256, scram-sha-512\), or remove them/ },
  { what: 'a SASL password Secret with mechanism none', chart: 'sms-worker', values: { kafka: { sasl: { mechanism: 'none', password: { existingSecret: 'herald-kafka' } } } }, message: /sms-worker: kafka\.sasl\.username or kafka\.sasl\.password\.existingSecret is set but kafka\.sasl\.mechanism is none/ },
  { what: 'a CA Secret with TLS off', chart: 'sms-worker', values: { kafka: { tls: { ca: { existingSecret: 'kafka-ca' } } } }, message: /sms-worker: kafka\.tls\.ca names a CA bundle \(secret kafka-ca\) but kafka\.tls\.enabled is false: set kafka\.tls\.enabled=true \(or global\.herald\.kafka\.tls\.enabled\), or remove the CA/ },
  { what: 'a CA ConfigMap with TLS off', chart: 'ingest-api', values: { kafka: { tls: { enabled: false, ca: { existingConfigMap: 'kafka-ca' } } } }, message: /ingest-api: kafka\.tls\.ca names a CA bundle \(configMap kafka-ca\) but kafka\.tls\.enabled is false/ },
  { what: 'a CA from both a Secret and a ConfigMap', chart: 'ingest-api', values: { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca', existingConfigMap: 'kafka-ca-bundle' } } } }, message: /ingest-api: kafka\.tls\.ca names both existingSecret \(kafka-ca\) and existingConfigMap \(kafka-ca-bundle\): the CA bundle comes from one of them/ },
  { what: 'a SASL mechanism the apps do not support', chart: 'kafka-bridge', values: { kafka: { sasl: { mechanism: 'gssapi', username: 'herald', password: { existingSecret: 'herald-kafka' } } } }, message: /kafka\.sasl\.mechanism: kafka\.sasl\.mechanism must be one of the following: "none", "plain", "scram-sha-256", "scram-sha-512"/ },
  { what: 'a SASL mechanism in upper case', chart: 'email-worker', values: { kafka: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'herald', password: { existingSecret: 'herald-kafka' } } } }, message: /kafka\.sasl\.mechanism: kafka\.sasl\.mechanism must be one of the following/ },
  { what: 'a SASL password given as a value (password.value)', chart: 'ingest-api', values: { kafka: { sasl: { mechanism: 'plain', username: 'herald', password: { value: 'hunter2' } } } }, message: /kafka\.sasl\.password: Additional property value is not allowed/ },
  { what: 'a SASL password given as a plain string', chart: 'email-worker', values: { kafka: { sasl: { mechanism: 'plain', username: 'herald', password: 'hunter2' } } }, message: /kafka\.sasl\.password: Invalid type\. Expected: object, given: string/ },
  { what: 'a SASL password in config', chart: 'kafka-bridge', values: { config: { KAFKA_SASL_PASSWORD: 'hunter2' } }, message: /config: Additional property KAFKA_SASL_PASSWORD is not allowed/ },
  { what: 'a CA key with a path in it', chart: 'sms-worker', values: { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca', key: '../ca.crt' } } } }, message: /kafka\.tls\.ca\.key: Does not match pattern/ },
  { what: 'a Kafka CA file set by hand in extraEnv', chart: 'email-worker', values: { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca' } } }, extraEnv: [{ name: 'KAFKA_SSL_CA_FILE', value: '/tmp/ca.pem' }] }, message: /email-worker: environment variable KAFKA_SSL_CA_FILE is set twice/ },
  // Through the umbrella: each app's schema applies to its key, the umbrella's to the rest.
  { what: 'a bad app value in the umbrella', chart: 'herald', values: { 'email-worker': { config: { WORKER_CONCURRENCY: -1 } } }, message: /email-worker:\n- config\.WORKER_CONCURRENCY: Must be greater than or equal to 1/ },
  { what: 'a bad global value in the umbrella', chart: 'herald', values: { global: { herald: { kafka: { brokers: ['no-port'] } } } }, message: /global\.herald\.kafka\.brokers\.0: Does not match pattern/ },
  { what: 'a global SASL mechanism without a username', chart: 'herald', values: { global: { herald: { kafka: { sasl: { mechanism: 'scram-sha-256', password: { existingSecret: 'herald-kafka' } } } } } }, message: /(ingest-api|kafka-bridge|email-worker|sms-worker|webhook-worker): kafka\.sasl\.mechanism is scram-sha-256 but kafka\.sasl\.username is empty/ },
  { what: 'a global CA with TLS off', chart: 'herald', values: { global: { herald: { kafka: { tls: { ca: { existingConfigMap: 'kafka-ca' } } } } } }, message: /(ingest-api|kafka-bridge|email-worker|sms-worker|webhook-worker): global\.herald\.kafka\.tls\.ca names a CA bundle \(configMap kafka-ca\) but kafka\.tls\.enabled is false/ },
  { what: 'a global CA from both a Secret and a ConfigMap', chart: 'herald', values: { global: { herald: { kafka: { tls: { enabled: true, ca: { existingSecret: 'a', existingConfigMap: 'b' } } } } } }, message: /global\.herald\.kafka\.tls\.ca names both existingSecret \(a\) and existingConfigMap \(b\)/ },
  { what: 'a global SASL mechanism the apps do not support', chart: 'herald', values: { global: { herald: { kafka: { sasl: { mechanism: 'kerberos' } } } } }, message: /herald:\n- global\.herald\.kafka\.sasl\.mechanism: global\.herald\.kafka\.sasl\.mechanism must be one of the following: "", "none", "plain", "scram-sha-256", "scram-sha-512"/ },
  { what: 'a global SASL password given as a plain string', chart: 'herald', values: { global: { herald: { kafka: { sasl: { password: 'hunter2' } } } } }, message: /herald:\n- global\.herald\.kafka\.sasl\.password: Invalid type\. Expected: object, given: string/ },
  { what: 'a global SASL password given as a value', chart: 'herald', values: { global: { herald: { kafka: { sasl: { password: { value: 'hunter2' } } } } } }, message: /herald:\n- global\.herald\.kafka\.sasl\.password: Additional property value is not allowed/ },
  { what: 'an app\'s SASL password given as a value in the umbrella', chart: 'herald', values: { 'kafka-bridge': { kafka: { sasl: { password: { value: 'hunter2' } } } } }, message: /kafka-bridge:\n- kafka\.sasl\.password: Additional property value is not allowed/ },
  // Egress (herald-common's _networkpolicy.tpl and _net.tpl): the cloud metadata addresses cannot be opened.
  { what: 'an egress peer that is the metadata address', chart: 'ingest-api', values: { networkPolicy: { egress: { extra: [{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 80 }] }] } } }, message: /ingest-api: networkPolicy\.egress\.extra\[0\]\.to\[0\]\.ipBlock: cidr 169\.254\.169\.254\/32 is the cloud metadata address 169\.254\.169\.254\/32, which the charts always block/ },
  { what: 'an egress peer that is the IPv6 metadata address, spelt out', chart: 'email-worker', values: { networkPolicy: { egress: { kafka: { to: [{ ipBlock: { cidr: 'FD00:EC2:0:0:0:0:0:254/128' } }] } } } }, message: /email-worker: networkPolicy\.egress\.kafka\.to\[0\]\.ipBlock: cidr FD00:EC2:0:0:0:0:0:254\/128 is the cloud metadata address fd00:ec2::254\/128/ },
  { what: 'the metadata address as every app\'s PostgreSQL', chart: 'herald', values: { global: { herald: { networkPolicy: { egress: { postgres: { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] } } } } } }, message: /(ingest-api|kafka-bridge|email-worker|sms-worker|webhook-worker): global\.herald\.networkPolicy\.egress\.postgres\.to\[0\]\.ipBlock: cidr 169\.254\.169\.254\/32 is the cloud metadata address/ },
  { what: 'an egress CIDR that is not one', chart: 'kafka-bridge', values: { networkPolicy: { egress: { redis: { to: [{ ipBlock: { cidr: 'redis.example.com/32' } }] } } } }, message: /networkPolicy\.egress\.redis\.to\.0\.ipBlock\.cidr: Does not match pattern/ },
  { what: 'an IPv4 CIDR with an octet above 255', chart: 'sms-worker', values: { networkPolicy: { egress: { providers: { to: [{ ipBlock: { cidr: '300.0.0.0/8' } }] } } } }, message: /sms-worker: networkPolicy\.egress\.providers\.to\[0\]\.ipBlock: 300\.0\.0\.0 is not an IPv4 address/ },
  { what: 'a CIDR prefix longer than the address', chart: 'ingest-api', values: { networkPolicy: { egress: { dns: { to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] } } } }, message: /ingest-api: networkPolicy\.egress\.dns\.to\[0\]\.ipBlock: 10\.0\.0\.0\/33 has a prefix longer than 32 bits/ },
  { what: 'an IPv6 address with :: twice', chart: 'ingest-api', values: { networkPolicy: { egress: { extra: [{ to: [{ ipBlock: { cidr: 'fd00::1::/64' } }] }] } } }, message: /ingest-api: networkPolicy\.egress\.extra\[0\]\.to\[0\]\.ipBlock: fd00::1:: is not an IPv6 address \(:: appears twice\)/ },
  { what: 'no Redis port (a rule without ports opens every port)', chart: 'kafka-bridge', values: { networkPolicy: { egress: { redis: { ports: [] } } } }, message: /networkPolicy\.egress\.redis\.ports: Array must have at least 1 items/ },
  { what: 'no Kafka port and no broker port', chart: 'ingest-api', values: { networkPolicy: { egress: { kafka: { ports: [] } } }, kafka: { brokers: [] } }, message: /kafka\.brokers: Array must have at least 1 items/ },
  { what: 'an egress port out of range', chart: 'email-worker', values: { networkPolicy: { egress: { providers: { ports: [70000] } } } }, message: /networkPolicy\.egress\.providers\.ports\.0: Must be less than or equal to 65535/ },
  { what: 'the old egress.enabled and egress.to', chart: 'ingest-api', values: { networkPolicy: { egress: { enabled: true, to: [] } } }, message: /networkPolicy\.egress: Additional property (enabled|to) is not allowed/ },
  { what: 'a destination the app does not talk to', chart: 'ingest-api', values: { networkPolicy: { egress: { providers: { ports: [443] } } } }, message: /networkPolicy\.egress: Additional property providers is not allowed/ },
  { what: 'a misspelt peer field', chart: 'sms-worker', values: { networkPolicy: { egress: { kafka: { to: [{ namespaceSelectr: {} }] } } } }, message: /networkPolicy\.egress\.kafka\.to\.0: Additional property namespaceSelectr is not allowed/ },
  { what: 'restricted as a string', chart: 'kafka-bridge', values: { networkPolicy: { egress: { restricted: 'false' } } }, message: /networkPolicy\.egress\.restricted: Invalid type\. Expected: boolean, given: string/ },
  { what: 'a provider\'s secret in config', chart: 'email-worker', values: { config: { SENDGRID_API_KEY: 'SG.abc' } }, message: /config: Additional property SENDGRID_API_KEY is not allowed/ },
  { what: 'a callback signing secret in config', chart: 'receipts-api', values: { config: { MAILGUN_WEBHOOK_SIGNING_KEY: 'key-abc' } }, message: /config: Additional property MAILGUN_WEBHOOK_SIGNING_KEY is not allowed/ },
  { what: 'a provider secret given as a value', chart: 'email-worker', values: { providerSecrets: { postmarkServerToken: { value: 'abc' } } }, message: /providerSecrets\.postmarkServerToken: Additional property value is not allowed/ },
  // The provider lists: a YAML list or the comma-separated string the app reads, each name one it knows.
  { what: 'an email provider the app does not know, in a comma-separated list', chart: 'email-worker', values: { config: { EMAIL_PROVIDERS: 'ses,sparkpost' } }, message: /config\.EMAIL_PROVIDERS: Does not match pattern '\^ \*\(\?:\(smtp\|ses\|sendgrid\|mailgun\|postmark\)\)/ },
  { what: 'an email provider the app does not know, in a YAML list', chart: 'email-worker', values: { config: { EMAIL_PROVIDERS: ['ses', 'sparkpost'] } }, message: /config\.EMAIL_PROVIDERS\.1: Does not match pattern '\^\(smtp\|ses\|sendgrid\|mailgun\|postmark\)\$'/ },
  { what: 'an SMS provider the app does not know', chart: 'sms-worker', values: { config: { SMS_PROVIDERS: 'twilio, messagebird' } }, message: /config\.SMS_PROVIDERS: Does not match pattern '\^ \*\(\?:\(http\|twilio\|vonage\|sns\)\)/ },
  { what: 'an SMS provider in upper case', chart: 'sms-worker', values: { config: { SMS_PROVIDERS: ['Twilio'] } }, message: /config\.SMS_PROVIDERS\.0: Does not match pattern/ },
  { what: 'an empty provider list', chart: 'email-worker', values: { config: { EMAIL_PROVIDERS: [] } }, message: /config\.EMAIL_PROVIDERS: Array must have at least 1 items/ },
  { what: 'a provider list with an empty item', chart: 'sms-worker', values: { config: { SMS_PROVIDERS: 'twilio,,vonage' } }, message: /config\.SMS_PROVIDERS: Does not match pattern/ },
  { what: 'the old single-provider variable EMAIL_PROVIDER', chart: 'email-worker', values: { config: { EMAIL_PROVIDER: 'ses' } }, message: /config: Additional property EMAIL_PROVIDER is not allowed/ },
  { what: 'the old single-provider variable SMS_PROVIDER', chart: 'sms-worker', values: { config: { SMS_PROVIDER: 'twilio' } }, message: /config: Additional property SMS_PROVIDER is not allowed/ },
  { what: 'provider weights that are not name=weight pairs', chart: 'email-worker', values: { config: { PROVIDER_WEIGHTS: 'ses:70,sendgrid:30' } }, message: /config\.PROVIDER_WEIGHTS: Does not match pattern/ },
  { what: 'a breaker error rate above 100%', chart: 'sms-worker', values: { config: { BREAKER_ERROR_RATE_PERCENT: 150 } }, message: /config\.BREAKER_ERROR_RATE_PERCENT: Must be less than or equal to 100/ },
  // Webhooks: the secrets key only from a Secret, durations and lists as the webhook-worker reads them.
  { what: 'the webhook secrets key in config', chart: 'webhook-worker', values: { config: { WEBHOOK_SECRETS_KEY: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' } }, message: /config: Additional property WEBHOOK_SECRETS_KEY is not allowed/ },
  { what: 'the webhook secrets key in the ingest-api\'s config', chart: 'ingest-api', values: { config: { WEBHOOK_SECRETS_KEY: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' } }, message: /config: Additional property WEBHOOK_SECRETS_KEY is not allowed/ },
  { what: 'the webhook secrets key given as a value', chart: 'webhook-worker', values: { webhooks: { secretsKey: { value: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' } } }, message: /webhooks\.secretsKey: Additional property value is not allowed/ },
  { what: 'the webhook secrets key set by hand in extraEnv', chart: 'webhook-worker', values: { extraEnv: [{ name: 'WEBHOOK_SECRETS_KEY', value: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=' }] }, message: /webhook-worker: environment variable WEBHOOK_SECRETS_KEY is set twice/ },
  { what: 'WEBHOOK_ALLOW_PRIVATE_TARGETS in config (webhooks.allowPrivateTargets sets it)', chart: 'webhook-worker', values: { config: { WEBHOOK_ALLOW_PRIVATE_TARGETS: true } }, message: /config: Additional property WEBHOOK_ALLOW_PRIVATE_TARGETS is not allowed/ },
  { what: 'allowPrivateTargets as a string', chart: 'ingest-api', values: { webhooks: { allowPrivateTargets: 'true' } }, message: /webhooks\.allowPrivateTargets: Invalid type\. Expected: boolean, given: string/ },
  { what: 'a retry delay without a unit', chart: 'webhook-worker', values: { config: { WEBHOOK_RETRY_SCHEDULE: '5s,300' } }, message: /config\.WEBHOOK_RETRY_SCHEDULE: Does not match pattern/ },
  { what: 'a webhook timeout above the app\'s maximum', chart: 'webhook-worker', values: { config: { WEBHOOK_TIMEOUT_MS: 600_000 } }, message: /config\.WEBHOOK_TIMEOUT_MS: Must be less than or equal to (120000|1\.2e\+05)/ },
  { what: 'an egress destination of another app (providers) for the webhook-worker', chart: 'webhook-worker', values: { networkPolicy: { egress: { providers: { ports: [443] } } } }, message: /networkPolicy\.egress: Additional property providers is not allowed/ },
  { what: 'no port for the webhook endpoints', chart: 'webhook-worker', values: { networkPolicy: { egress: { webhooks: { ports: [] } } } }, message: /networkPolicy\.egress\.webhooks\.ports: Array must have at least 1 items/ },
  { what: 'a database for the receipts-api, which has none', chart: 'receipts-api', values: { database: { existingSecret: 'herald-database', existingSecretKey: 'DATABASE_URL' } }, message: /\(root\): Additional property database is not allowed/ },
  { what: 'a Redis egress block for the receipts-api, which talks to Kafka only', chart: 'receipts-api', values: { networkPolicy: { egress: { redis: { ports: [6379] } } } }, message: /networkPolicy\.egress: Additional property redis is not allowed/ },
  { what: 'an unknown umbrella value', chart: 'herald', values: { ingestApi: { enabled: false } }, message: /\(root\): Additional property ingestApi is not allowed/ },
];

describe.each(cases)('$what ($chart)', ({ chart, values, message }) => {
  test('fails to render with a message naming the value', () => {
    const result = render(chart, { values: [values] });
    expect(result.ok).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('the same charts render with good values', () => {
  test.each([
    ['email-worker', { config: { LOG_LEVEL: 'debug', WORKER_CONCURRENCY: 1 } }],
    ['ingest-api', { config: { BODY_LIMIT_BYTES: 10_485_760 }, kafka: { brokers: ['a:9092', '[::1]:9093'] } }],
    ['kafka-bridge', { config: { NORTH_BATCH_SIZE: 5000 }, podSecurityContext: { runAsUser: 10001 } }],
    ['sms-worker', { drain: { shutdownGraceMs: 1000 }, smsProvider: { url: 'https://gateway.example.com' }, keda: { enabled: true, redis: { address: 'redis:6380' } } }],
    ['email-worker', { autoscaling: { enabled: true }, keda: { enabled: false } }],
    ['ingest-api', { drain: { terminationGracePeriodSeconds: 36 } }],
    ['email-worker', { extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=256' }] }],
    ['herald', { 'email-worker': { config: { WORKER_CONCURRENCY: 1 } }, global: { herald: { kafka: { brokers: ['k:9092'] } } } }],
    ['ingest-api', { kafka: { sasl: { mechanism: 'scram-sha-512', username: 'herald', password: { existingSecret: 'herald-kafka' } } } }],
    ['kafka-bridge', { kafka: { sasl: { mechanism: 'plain', username: 'herald', password: { existingSecret: 'herald-kafka', existingSecretKey: 'password' } } } }],
    ['email-worker', { kafka: { sasl: { mechanism: 'none', username: '', password: { existingSecret: '' } } } }],
    ['sms-worker', { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca', key: 'ca-bundle.pem' } } } }],
    ['ingest-api', { kafka: { tls: { enabled: true, ca: { existingConfigMap: 'kafka-ca' } } } }],
    ['email-worker', { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca' } } }, extraEnv: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/herald/kafka-ca/ca.crt' }] }],
    ['herald', { global: { herald: { kafka: { tls: { enabled: true, ca: { existingConfigMap: 'kafka-ca' } }, sasl: { mechanism: 'scram-sha-256', username: 'herald', password: { existingSecret: 'herald-kafka' } } } } } }],
    ['herald', { 'kafka-bridge': { kafka: { tls: { enabled: true, ca: { existingSecret: 'kafka-ca' } }, sasl: { mechanism: 'scram-sha-512', username: 'bridge', password: { existingSecret: 'bridge-kafka' } } } } }],
    // Link-local but not a metadata address (the EKS Pod Identity agent), and IPv4-mapped IPv6.
    ['ingest-api', { networkPolicy: { egress: { extra: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: '::ffff:10.0.0.0/104' } }], ports: [{ port: 80 }] }] } } }],
    ['kafka-bridge', { networkPolicy: { egress: { redis: { ports: [6380], to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] } } } }],
    ['herald', { global: { herald: { networkPolicy: { egress: { kafka: { ports: [9094] }, postgres: { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }] } } } } } }],
    ['email-worker', { config: { EMAIL_PROVIDERS: ['postmark'], POSTMARK_MESSAGE_STREAM: 'outbound' }, providerSecrets: { postmarkServerToken: { existingSecret: 'postmark', existingSecretKey: 'token' } } }],
    ['email-worker', { config: { EMAIL_PROVIDERS: 'ses, sendgrid,smtp', PROVIDER_WEIGHTS: 'ses=70,sendgrid=30', PROVIDER_RATE_LIMITS: 'ses=14', BREAKER_FAILURES: 10, BREAKER_WINDOW_MS: 60_000 } }],
    ['sms-worker', { config: { SMS_PROVIDERS: ['twilio', 'sns'], SNS_REGION: 'eu-west-1', BREAKER_MIN_CALLS: 50, PROVIDER_STATE_CACHE_MS: 1000 } }],
    ['webhook-worker', { config: { WEBHOOK_RETRY_SCHEDULE: ['10s', '1m', '1h'], WEBHOOK_DNS_SERVERS: '1.1.1.1,8.8.8.8:53', WEBHOOK_TIMEOUT_MS: 5000 }, webhooks: { allowPrivateTargets: true } }],
    ['ingest-api', { webhooks: { secretsKey: { existingSecret: '' } }, config: { WEBHOOK_DNS_SERVERS: ['10.0.0.10'] } }],
    ['receipts-api', { receiptProviders: ['mailgun'], publicUrl: 'https://receipts.example.com', config: { MAILGUN_WEBHOOK_MAX_AGE_SEC: 600 } }],
    ['herald', { 'receipts-api': { enabled: true, networkPolicy: { egress: { providers: null } } } }],
  ])('%s with %j', (chart, values) => {
    const result = render(chart, { values: [values] });
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
    expect(result.objects.length).toBeGreaterThan(0);
  });
});
