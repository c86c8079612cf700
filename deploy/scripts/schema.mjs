// @ts-check
/**
 * The values.schema.json of every chart, built from one set of definitions so that the four app
 * charts and the umbrella describe shared values identically. The `config` section of each app
 * chart comes from the app's own configuration spec (apps/<app>/src/config.ts, read from its
 * build): every Herald variable the chart does not manage itself, with its type, bounds, default
 * and description, and nothing else (a misspelt name fails the render).
 *
 * JSON Schema draft-07 as Helm 3 validates it (gojsonschema). Used by generate.mjs.
 */

/** @typedef {Record<string, any>} Schema */

/** @param {string} description @param {Schema} [extra] @returns {Schema} */
const str = (description, extra = {}) => ({ type: 'string', description, ...extra });
/** @param {string} description @param {Schema} [extra] @returns {Schema} */
const int = (description, extra = {}) => ({ type: 'integer', description, ...extra });
/** @param {string} description @returns {Schema} */
const bool = (description) => ({ type: 'boolean', description });
/** @param {string} description @param {Record<string, Schema>} properties @param {Schema} [extra] @returns {Schema} */
const obj = (description, properties, extra = {}) => ({ type: 'object', description, additionalProperties: false, properties, ...extra });
/** @param {string} description @param {Schema} [values] @returns {Schema} */
const map = (description, values = { type: 'string' }) => ({ type: 'object', description, additionalProperties: values });
/** @param {string} description @param {Schema} [items] @param {Schema} [extra] @returns {Schema} */
const list = (description, items = { type: 'object' }, extra = {}) => ({ type: 'array', description, items, ...extra });
/** @param {string} description @param {Schema} [extra] @returns {Schema} */
const nullableInt = (description, extra = {}) => ({ type: ['integer', 'null'], description, ...extra });

const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$';
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const HOST_PORT = '^[A-Za-z0-9.\\-_:\\[\\]]+:[0-9]{1,5}$';
const DNS_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$';
const SECRET_NAME = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
const SECRET_KEY = '^[-._a-zA-Z0-9]+$';
const PERCENT_OR_INT = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+%$' }] };
const CIDR = '^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)/[0-9]{1,3}$';

/** Variables that are secrets: only ever referenced from Secrets. */
export const SECRET_VARIABLES = [
  'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'SMS_PROVIDER_API_KEY', 'API_KEYS', 'KAFKA_SASL_PASSWORD',
  'TWILIO_AUTH_TOKEN', 'VONAGE_API_SECRET', 'SNS_SECRET_ACCESS_KEY',
  'SES_SECRET_ACCESS_KEY', 'SENDGRID_API_KEY', 'MAILGUN_API_KEY', 'POSTMARK_SERVER_TOKEN',
  'VONAGE_SIGNATURE_SECRET', 'MAILGUN_WEBHOOK_SIGNING_KEY', 'POSTMARK_WEBHOOK_PASSWORD',
  'WEBHOOK_SECRETS_KEY',
];

/**
 * The Kafka connection variables every app reads (libs/kafka/src/config.ts), all set by the
 * charts from the kafka values block (KAFKA_CLIENT_ID stays in config: each app has its own).
 */
const KAFKA_MANAGED = ['KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'];

/** Where the charts mount the Kafka CA bundle (read-only), and the file KAFKA_SSL_CA_FILE names. */
export const KAFKA_CA_DIR = '/etc/herald/kafka-ca';
export const KAFKA_CA_FILE = `${KAFKA_CA_DIR}/ca.crt`;

/**
 * The webhook settings the ingest-api and the webhook-worker share (libs/webhooks/src/config.ts),
 * set by the charts from the webhooks values block (with global.herald precedence, so that both
 * get the same key and the same target rules): WEBHOOK_SECRETS_KEY from a Secret, never a value.
 */
const WEBHOOKS_MANAGED = ['WEBHOOK_SECRETS_KEY', 'WEBHOOK_ALLOW_PRIVATE_TARGETS'];

/**
 * @typedef {{ variable: string, when: string }} ProviderSecret
 * @typedef {{
 *   component: string,
 *   port: 'PORT' | 'HEALTH_PORT',
 *   serves?: string,
 *   public: boolean,
 *   ingress: null | { path: string, inside: string },
 *   hpa?: string,
 *   database: boolean,
 *   redis: boolean,
 *   queues: boolean,
 *   keda: null | { queue: string, kafka: boolean },
 *   egress: string[],
 *   webhooks: null | { keyRequired: boolean },
 *   providerSecrets: null | { description: string, secret: string, refs: Record<string, ProviderSecret> },
 *   managed: string[],
 * }} AppFacts
 */

/**
 * The optional Secret references of one app's providers (values key providerSecrets): each names
 * its variable and when it is needed; every one is optional, so only the selected provider's
 * Secret has to exist. Their variables are managed by the chart (`<chart>/templates/_env.tpl`
 * renders one secretEnv per entry, in this order).
 * @param {string} description @param {string} secret @param {Record<string, ProviderSecret>} refs
 */
const providerSecrets = (description, secret, refs) => ({ description, secret, refs });

/** The variables of an app's providerSecrets. @param {AppFacts['providerSecrets']} p */
const providerVariables = (p) => (p ? Object.values(p.refs).map((r) => r.variable) : []);

/** The email-worker's HTTP providers. */
const EMAIL_PROVIDER_SECRETS = providerSecrets(
  'Secrets of the HTTP email providers (EMAIL_PROVIDERS, the ordered list of providers, and their other variables go in config). Each is optional: only those of the providers in EMAIL_PROVIDERS must exist.',
  'herald-email-providers',
  {
    sesSecretAccessKey: { variable: 'SES_SECRET_ACCESS_KEY', when: 'ses in EMAIL_PROVIDERS, with a static key (SES_ACCESS_KEY_ID); without one: the SDK\'s default credentials, e.g. the pod\'s IAM role' },
    sendgridApiKey: { variable: 'SENDGRID_API_KEY', when: 'sendgrid in EMAIL_PROVIDERS' },
    mailgunApiKey: { variable: 'MAILGUN_API_KEY', when: 'mailgun in EMAIL_PROVIDERS' },
    postmarkServerToken: { variable: 'POSTMARK_SERVER_TOKEN', when: 'postmark in EMAIL_PROVIDERS' },
  },
);

/** The sms-worker's providers other than the HTTP gateway. */
const SMS_PROVIDER_SECRETS = providerSecrets(
  'Secrets of the SMS providers other than the HTTP gateway (SMS_PROVIDERS, the ordered list of providers, and their other variables go in config). Each is optional: only those of the providers in SMS_PROVIDERS must exist.',
  'herald-sms-providers',
  {
    twilioAuthToken: { variable: 'TWILIO_AUTH_TOKEN', when: 'twilio in SMS_PROVIDERS' },
    vonageApiSecret: { variable: 'VONAGE_API_SECRET', when: 'vonage in SMS_PROVIDERS' },
    snsSecretAccessKey: { variable: 'SNS_SECRET_ACCESS_KEY', when: 'sns in SMS_PROVIDERS, with a static key (SNS_ACCESS_KEY_ID); without one: the pod\'s IAM role' },
  },
);

/** What the providers sign or authenticate their callbacks to the receipts-api with. */
const RECEIPT_PROVIDER_SECRETS = providerSecrets(
  'Secrets the providers sign or authenticate their callbacks with (the providers\' other variables go in config). Each is optional: only those of the providers in receiptProviders must exist.',
  'herald-receipt-providers',
  {
    twilioAuthToken: { variable: 'TWILIO_AUTH_TOKEN', when: 'twilio: the account\'s Auth Token, the same as the sms-worker\'s' },
    vonageSignatureSecret: { variable: 'VONAGE_SIGNATURE_SECRET', when: 'vonage: the signature secret of the account\'s signed webhooks' },
    mailgunWebhookSigningKey: { variable: 'MAILGUN_WEBHOOK_SIGNING_KEY', when: 'mailgun: the HTTP webhook signing key' },
    postmarkWebhookPassword: { variable: 'POSTMARK_WEBHOOK_PASSWORD', when: 'postmark: the basic-auth password written in the webhook URL' },
  },
);

/**
 * Each app: the chart's name, the Herald variables its templates set themselves (never through
 * `config`), its container port and what it talks to. A new app chart is one entry here (its
 * `managed` list ends with its providerSecrets' variables), its values.yaml with the blocks the
 * entry names, and its templates/_env.tpl.
 * @type {Record<string, AppFacts>}
 */
export const APPS = {
  'ingest-api': {
    component: 'api',
    port: 'PORT',
    serves: 'the API',
    public: true,
    ingress: { path: '/v1', inside: 'health, metrics and docs' },
    hpa: 'HorizontalPodAutoscaler on CPU: the ingest-api is CPU-bound.',
    managed: ['PORT', 'HOST', 'WEB_CONCURRENCY', ...KAFKA_MANAGED, 'QUEUE_PREFIX', 'SHUTDOWN_GRACE_MS', 'DATABASE_URL', 'REDIS_URL', 'API_KEYS', 'AUTH_DISABLED', ...WEBHOOKS_MANAGED],
    database: true,
    redis: true,
    // QUEUE_PREFIX: the WebhookQueue, where webhook tests and replays go (the webhook-worker's).
    queues: true,
    keda: null,
    egress: ['kafka', 'redis', 'postgres'],
    // Registration seals the endpoints' signing secrets: without the key, /v1/webhooks answers 503.
    webhooks: { keyRequired: false },
    providerSecrets: null,
  },
  'kafka-bridge': {
    component: 'bridge',
    port: 'HEALTH_PORT',
    public: false,
    ingress: null,
    managed: ['HEALTH_HOST', 'HEALTH_PORT', ...KAFKA_MANAGED, 'QUEUE_PREFIX', 'SHUTDOWN_GRACE_MS', 'DATABASE_URL', 'REDIS_URL'],
    database: true,
    redis: true,
    queues: true,
    keda: { queue: 'NotificationQueue', kafka: true },
    egress: ['kafka', 'redis', 'postgres'],
    webhooks: null,
    providerSecrets: null,
  },
  'email-worker': {
    component: 'worker',
    port: 'HEALTH_PORT',
    public: false,
    ingress: null,
    managed: ['HEALTH_HOST', 'HEALTH_PORT', ...KAFKA_MANAGED, 'QUEUE_PREFIX', 'SHUTDOWN_GRACE_MS', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', ...providerVariables(EMAIL_PROVIDER_SECRETS)],
    database: true,
    redis: true,
    queues: true,
    keda: { queue: 'EmailQueue', kafka: false },
    egress: ['kafka', 'redis', 'postgres', 'providers'],
    webhooks: null,
    providerSecrets: EMAIL_PROVIDER_SECRETS,
  },
  'sms-worker': {
    component: 'worker',
    port: 'HEALTH_PORT',
    public: false,
    ingress: null,
    managed: ['HEALTH_HOST', 'HEALTH_PORT', ...KAFKA_MANAGED, 'QUEUE_PREFIX', 'SHUTDOWN_GRACE_MS', 'DATABASE_URL', 'REDIS_URL', 'SMS_PROVIDER_URL', 'SMS_PROVIDER_API_KEY', ...providerVariables(SMS_PROVIDER_SECRETS)],
    database: true,
    redis: true,
    queues: true,
    keda: { queue: 'SmsQueue', kafka: false },
    egress: ['kafka', 'redis', 'postgres', 'providers'],
    webhooks: null,
    providerSecrets: SMS_PROVIDER_SECRETS,
  },
  'receipts-api': {
    component: 'receipts',
    port: 'PORT',
    serves: 'the provider callbacks',
    public: true,
    ingress: { path: '/providers', inside: 'health and metrics' },
    hpa: 'HorizontalPodAutoscaler on CPU: verifying signatures and producing receipts is CPU-bound, and there is no queue to scale on.',
    managed: ['PORT', 'HOST', ...KAFKA_MANAGED, 'SHUTDOWN_GRACE_MS', 'RECEIPTS_PUBLIC_URL', 'RECEIPT_PROVIDERS', ...providerVariables(RECEIPT_PROVIDER_SECRETS)],
    database: false,
    redis: false,
    queues: false,
    keda: null,
    egress: ['kafka', 'providers'],
    webhooks: null,
    providerSecrets: RECEIPT_PROVIDER_SECRETS,
  },
  'webhook-worker': {
    component: 'worker',
    port: 'HEALTH_PORT',
    public: false,
    ingress: null,
    managed: ['HEALTH_HOST', 'HEALTH_PORT', ...KAFKA_MANAGED, 'QUEUE_PREFIX', 'SHUTDOWN_GRACE_MS', 'DATABASE_URL', 'REDIS_URL', ...WEBHOOKS_MANAGED],
    database: true,
    redis: true,
    queues: true,
    keda: { queue: 'WebhookQueue', kafka: false },
    // The customers' endpoints: the public internet only, unless private targets are allowed.
    egress: ['kafka', 'redis', 'postgres', 'webhooks'],
    // It signs every call: it does not start without the key, and neither does the chart render.
    webhooks: { keyRequired: true },
    providerSecrets: null,
  },
};

/** @param {string} what @param {string} defaultName @param {string} defaultKey @param {boolean} [optional] */
function secretRef(what, defaultName, defaultKey, optional = false) {
  return obj(
    `An existing Secret holding ${what}. The charts never take secret values from values files.`,
    {
      existingSecret: str(`Name of the Secret (e.g. ${defaultName}).`, { minLength: 1, pattern: SECRET_NAME }),
      existingSecretKey: str(`Key in the Secret (e.g. ${defaultKey}).`, { minLength: 1, pattern: SECRET_KEY }),
      ...(optional ? { optional: bool('true: start without it when the Secret or the key is missing.') } : {}),
    },
    { required: ['existingSecret', 'existingSecretKey'] },
  );
}

/** The same object with every property optional and nullable-free: for global.herald. @param {string} what */
const globalSecretRef = (what) =>
  obj(`Existing Secret holding ${what} for every app (takes precedence over each chart's own).`, {
    existingSecret: str('Name of the Secret; empty: each chart\'s own.', { pattern: `^$|${SECRET_NAME}` }),
    existingSecretKey: str('Key in the Secret; empty: each chart\'s own.', { pattern: `^$|${SECRET_KEY}` }),
  });

/** @param {string} description */
const labelSelector = (description) => ({ type: 'object', description, properties: { matchLabels: map('Labels.'), matchExpressions: list('Expressions.') }, additionalProperties: false });

const peer = obj('A NetworkPolicyPeer: an ipBlock, or a namespace and/or pod selector.', {
  ipBlock: obj('Addresses (outside the cluster, for most CNIs).', {
    cidr: str('CIDR, e.g. 10.20.0.0/16 or 2001:db8::/32.', { pattern: CIDR }),
    except: list('CIDRs inside cidr left out. The cloud metadata addresses are added whenever cidr contains them.', { type: 'string', pattern: CIDR }),
  }, { required: ['cidr'] }),
  namespaceSelector: labelSelector('Namespaces ({} for every namespace).'),
  podSelector: labelSelector('Pods (in the selected namespaces, else in the release\'s).'),
});

/** Peers are described once, in the definitions of every schema, and referenced (the schemas stay readable). */
const DEFINITIONS = { networkPolicyPeer: peer };
/** @param {string} description */
const peers = (description) => list(description, { $ref: '#/definitions/networkPolicyPeer' });

const TCP_PORT = { type: 'integer', minimum: 1, maximum: 65535 };

/** What each egress block opens, by default and by name. */
/** @type {Record<'kafka' | 'redis' | 'postgres' | 'providers' | 'webhooks', [string, number]>} each destination's description and fewest ports */
const DESTINATIONS = {
  kafka: ['Kafka. The ports of kafka.brokers are added to ports (list the advertised listeners\' ports too when they differ).', 0],
  redis: ['Redis (REDIS_URL is a Secret: the chart cannot read its port).', 1],
  postgres: ['PostgreSQL (DATABASE_URL is a Secret: the chart cannot read its port).', 1],
  providers: ['The providers\' endpoints (SMTP servers, HTTP provider APIs, an SMS gateway; its URL\'s port is added when the chart knows it).', 1],
  webhooks: ['The customers\' webhook endpoints (any URL an API client registers). Empty to: the public internet only (0.0.0.0/0 and ::/0 without the private, loopback, link-local, CGNAT, unique-local, multicast and reserved ranges, and no pods), or any address but the metadata ones with webhooks.allowPrivateTargets. List the ports of endpoints on other ports than 443 (and 80, for http targets, which only allowPrivateTargets permits).', 1],
};

/** @param {string} description */
const kafkaBrokers = (description) => list(description, { type: 'string', pattern: HOST_PORT }, { minItems: 1 });

/** @param {string[]} mechanisms */
const globalHerald = (mechanisms) => obj('Settings shared by every Herald chart of an umbrella release. A value set here takes precedence over the same value of each app chart.', {
  image: obj('Image settings of every Herald image.', {
    registry: str('Registry of every Herald image (e.g. registry.example.com); empty: each chart\'s image.registry.'),
    tag: str('Tag of every Herald image; empty: each chart\'s image.tag, else its appVersion.'),
    pullPolicy: { type: 'string', enum: ['', 'Always', 'IfNotPresent', 'Never'], description: 'Pull policy of every Herald image; empty: each chart\'s.' },
  }),
  imagePullSecrets: list('Pull secrets added to every Herald pod.', { oneOf: [{ type: 'string' }, obj('A LocalObjectReference.', { name: str('Secret name.') }, { required: ['name'] })] }),
  kafka: obj('Kafka of every app.', {
    brokers: list('KAFKA_BROKERS (host:port); empty: each chart\'s kafka.brokers.', { type: 'string', pattern: HOST_PORT }),
    topicPrefix: str('KAFKA_TOPIC_PREFIX; empty: each chart\'s kafka.topicPrefix.', { pattern: '^[A-Za-z0-9._-]*$' }),
    tls: obj('TLS to the brokers, for every app.', {
      enabled: { type: ['boolean', 'null'], description: 'KAFKA_SSL of every app; null: each chart\'s kafka.tls.enabled.' },
      ca: obj('CA bundle of every app (takes precedence over each chart\'s own when a Secret or ConfigMap is named here).', {
        existingSecret: str('Secret holding the PEM bundle; empty: see existingConfigMap, else each chart\'s kafka.tls.ca.', { pattern: `^$|${SECRET_NAME}` }),
        existingConfigMap: str('ConfigMap holding the PEM bundle (not both); empty: see existingSecret, else each chart\'s kafka.tls.ca.', { pattern: `^$|${SECRET_NAME}` }),
        key: str('Key of the bundle; empty: each chart\'s kafka.tls.ca.key.', { pattern: `^$|${SECRET_KEY}` }),
      }),
    }),
    sasl: obj('SASL authentication of every app.', {
      mechanism: { type: 'string', enum: ['', ...mechanisms], description: 'KAFKA_SASL_MECHANISM of every app; empty: each chart\'s kafka.sasl.mechanism.' },
      username: str('KAFKA_SASL_USERNAME of every app; empty: each chart\'s kafka.sasl.username.'),
      password: globalSecretRef('KAFKA_SASL_PASSWORD'),
    }),
  }),
  database: globalSecretRef('DATABASE_URL'),
  redis: globalSecretRef('REDIS_URL'),
  networkPolicy: obj('Egress destinations shared by every app (each app\'s networkPolicy.egress has the rest).', {
    egress: obj('Where DNS, Kafka, Redis and PostgreSQL are, for every app that talks to them. A value set here (not empty) takes precedence over each app\'s own.', {
      dns: obj('DNS.', { to: peers('NetworkPolicyPeer entries of the DNS servers; empty: each app\'s.') }),
      ...Object.fromEntries(['kafka', 'redis', 'postgres'].map((name) => [name, obj(`${name === 'postgres' ? 'PostgreSQL' : name === 'redis' ? 'Redis' : 'Kafka'} of every app.`, {
        ports: list('TCP ports; empty: each app\'s.', TCP_PORT, { uniqueItems: true }),
        to: peers('NetworkPolicyPeer entries; empty: each app\'s.'),
      })])),
    }),
  }),
  queues: obj('BullMQ settings of every app that uses the queues (the ingest-api, the bridge, the workers).', {
    prefix: str('QUEUE_PREFIX; empty: each chart\'s queues.prefix.', { pattern: '^[A-Za-z0-9._-]*$' }),
  }),
  webhooks: obj('Webhook settings of the ingest-api and the webhook-worker, which must agree: the key that seals the signing secrets is the key that opens them.', {
    secretsKey: globalSecretRef('WEBHOOK_SECRETS_KEY'),
    allowPrivateTargets: { type: ['boolean', 'null'], description: 'WEBHOOK_ALLOW_PRIVATE_TARGETS of both apps; null: each chart\'s webhooks.allowPrivateTargets.' },
  }),
});

/** @param {string[]} mechanisms */
const globalSchema = (mechanisms) => ({
  type: 'object',
  description: 'Global values (Helm passes them to every chart of a release). Herald reads global.herald only.',
  properties: { herald: globalHerald(mechanisms) },
});

/** @param {string} description */
const imageSchema = (description) =>
  obj(
    description,
    {
      registry: str('Registry host (and path), e.g. registry.example.com; empty for none (the repository is then a Docker Hub-style name or a local image).'),
      repository: str('Repository.', { minLength: 1 }),
      tag: str('Tag; empty: the chart\'s appVersion.'),
      digest: str('sha256:... digest; pins the image, the tag is then ignored.', { pattern: '^(sha256:[a-f0-9]{64})?$' }),
      pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'], description: 'Image pull policy.' },
    },
    { required: ['repository'] },
  );

/** @param {string} description @param {{ success?: boolean, enabled?: boolean }} [options] */
const probe = (description, { success = false, enabled = false } = {}) =>
  obj(description, {
    ...(enabled ? { enabled: bool('Render this probe.') } : {}),
    initialDelaySeconds: int('Seconds before the first probe.', { minimum: 0 }),
    periodSeconds: int('Seconds between probes.', { minimum: 1 }),
    timeoutSeconds: int('Seconds before a probe times out.', { minimum: 1 }),
    failureThreshold: int('Failures in a row before acting.', { minimum: 1 }),
    ...(success ? { successThreshold: int('Successes in a row to count as ready again.', { minimum: 1 }) } : {}),
  });

const seccomp = obj(
  'seccomp profile: RuntimeDefault (or a Localhost profile); never Unconfined.',
  {
    type: { type: 'string', enum: ['RuntimeDefault', 'Localhost'], description: 'Profile type.' },
    localhostProfile: str('Profile file, for type Localhost.'),
  },
  { required: ['type'] },
);

const podSecurityContext = obj(
  'Pod securityContext. Hardened by default; the schema refuses values that would run as root or unconfined. A null runAsUser, runAsGroup or fsGroup leaves it out (e.g. OpenShift assigns them).',
  {
    runAsNonRoot: { const: true, description: 'Always true: the images run as user 65532.' },
    runAsUser: int('User id (the images\' nonroot user is 65532).', { minimum: 1 }),
    runAsGroup: int('Group id.', { minimum: 1 }),
    fsGroup: int('Group owning mounted volumes.', { minimum: 1 }),
    fsGroupChangePolicy: { type: 'string', enum: ['OnRootMismatch', 'Always'], description: 'When to change volume ownership.' },
    supplementalGroups: list('Extra group ids.', { type: 'integer', minimum: 1 }),
    seccompProfile: seccomp,
    seLinuxOptions: { type: 'object', description: 'SELinux options.' },
    appArmorProfile: { type: 'object', description: 'AppArmor profile (Kubernetes 1.30+).' },
  },
  { required: ['runAsNonRoot', 'seccompProfile'] },
);

const containerSecurityContext = obj(
  'Container securityContext. Hardened by default (non-root, read-only root filesystem, no privilege escalation, every capability dropped, seccomp RuntimeDefault); the schema refuses values that weaken it.',
  {
    runAsNonRoot: { const: true, description: 'Always true.' },
    runAsUser: int('User id.', { minimum: 1 }),
    runAsGroup: int('Group id.', { minimum: 1 }),
    allowPrivilegeEscalation: { const: false, description: 'Always false.' },
    privileged: { const: false, description: 'Always false.' },
    readOnlyRootFilesystem: { const: true, description: 'Always true (/tmp is an emptyDir).' },
    capabilities: obj(
      'Linux capabilities: ALL dropped, none added.',
      {
        drop: list('Dropped capabilities; must include ALL.', { type: 'string' }, { contains: { const: 'ALL' } }),
        add: list('Added capabilities: none.', { type: 'string' }, { maxItems: 0 }),
      },
      { required: ['drop'] },
    ),
    seccompProfile: seccomp,
    seLinuxOptions: { type: 'object', description: 'SELinux options.' },
    appArmorProfile: { type: 'object', description: 'AppArmor profile (Kubernetes 1.30+).' },
  },
  { required: ['runAsNonRoot', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities', 'seccompProfile'] },
);

const resources = obj(
  'Container resources. CPU and memory requests and a memory limit are required (no CPU limit by default: throttling a Node.js event loop hurts latency more than it protects neighbours; add one if your policy demands it).',
  {
    requests: obj('Requests.', { cpu: { type: ['string', 'number'], description: 'CPU request, e.g. 250m.' }, memory: str('Memory request, e.g. 192Mi.', { pattern: QUANTITY }), 'ephemeral-storage': str('Ephemeral storage request.', { pattern: QUANTITY }) }, { required: ['cpu', 'memory'] }),
    limits: obj('Limits.', { cpu: { type: ['string', 'number'], description: 'CPU limit (none by default).' }, memory: str('Memory limit, e.g. 384Mi.', { pattern: QUANTITY }), 'ephemeral-storage': str('Ephemeral storage limit.', { pattern: QUANTITY }) }, { required: ['memory'] }),
  },
  { required: ['requests', 'limits'] },
);

/** @param {number} graceMs */
const drain = (graceMs) =>
  obj(
    `Graceful shutdown. SHUTDOWN_GRACE_MS is the app's drain (default ${graceMs}); terminationGracePeriodSeconds must be longer than the preStop sleep plus the drain, else the kubelet kills the process mid-drain.`,
    {
      shutdownGraceMs: int('SHUTDOWN_GRACE_MS: time allowed for the drain after SIGTERM, in milliseconds.', { minimum: 1000 }),
      preStopSleepSeconds: int('preStop sleep before SIGTERM (a native sleep action, Kubernetes 1.30+); 0 for none.', { minimum: 0, maximum: 300 }),
      marginSeconds: int('Seconds added to preStop + drain for the computed terminationGracePeriodSeconds.', { minimum: 0 }),
      terminationGracePeriodSeconds: nullableInt('null: computed (preStop + ceil(drain) + margin); a number must exceed preStop + drain.', { minimum: 1 }),
    },
    { required: ['shutdownGraceMs', 'preStopSleepSeconds', 'marginSeconds'] },
  );

const serviceAccount = obj('The ServiceAccount.', {
  create: bool('Create one for this app (for workload-identity annotations).'),
  name: str('Name; empty: the fullname when create is true, "default" otherwise.', { pattern: DNS_NAME }),
  annotations: map('Annotations (e.g. eks.amazonaws.com/role-arn).'),
  automountServiceAccountToken: bool('Mount the account\'s API token by default (Herald never calls the Kubernetes API).'),
});

/** @param {string} description */
const autoscaling = (description) =>
  obj(description, {
    enabled: bool('Create a HorizontalPodAutoscaler (the Deployment then has no replicas field).'),
    minReplicas: int('Fewest replicas.', { minimum: 1 }),
    maxReplicas: int('Most replicas.', { minimum: 1 }),
    targetCPUUtilizationPercentage: int('Target average CPU use, % of the CPU request.', { minimum: 1, maximum: 1000 }),
    targetMemoryUtilizationPercentage: nullableInt('Target average memory use, % of the memory request; null for none.', { minimum: 1, maximum: 1000 }),
    behavior: { type: 'object', description: 'HPA scaling behavior (autoscaling/v2 behavior).' },
  });

const triggerAuth = obj('Credentials of the scaler, from existing Secrets only.', {
  existingTriggerAuthentication: str('Name of an existing TriggerAuthentication to use.', { pattern: DNS_NAME }),
  secretTargetRef: list(
    'Creates a TriggerAuthentication with these references (parameter of the scaler, Secret name, key).',
    obj('One reference.', { parameter: str('Scaler parameter (e.g. password, sasl, username, tls, ca).', { minLength: 1 }), name: str('Secret name.', { minLength: 1 }), key: str('Key in the Secret.', { minLength: 1 }) }, { required: ['parameter', 'name', 'key'] }),
  ),
});

/** @param {{ queue: string, kafka: boolean }} keda */
const kedaSchema = (keda) =>
  obj('KEDA ScaledObject: scale on work waiting rather than CPU. Needs KEDA 2.x; the Deployment then has no replicas field. Not together with autoscaling.enabled.', {
    enabled: bool('Create the ScaledObject.'),
    minReplicaCount: int('Fewest replicas (0 allows scaling to zero when nothing waits).', { minimum: 0 }),
    maxReplicaCount: int('Most replicas.', { minimum: 1 }),
    pollingInterval: int('Seconds between checks of the triggers.', { minimum: 1 }),
    cooldownPeriod: int('Seconds after the last active trigger before scaling to minReplicaCount.', { minimum: 0 }),
    behavior: { type: 'object', description: 'Behavior of the HPA that KEDA creates (advanced.horizontalPodAutoscalerConfig.behavior).' },
    redis: obj(`Trigger on the BullMQ waiting list <queues.prefix>:${keda.queue}:wait (a Redis LIST).`, {
      enabled: bool('Use this trigger.'),
      address: str('host:port of Redis as KEDA reaches it (REDIS_URL is a secret URL that the scaler cannot read).', { pattern: HOST_PORT }),
      listLength: int('Target waiting jobs per replica.', { minimum: 1 }),
      activationListLength: int('Waiting jobs above which the scaler is active (scaling from zero).', { minimum: 0 }),
      databaseIndex: int('Redis database index.', { minimum: 0 }),
      enableTLS: bool('TLS to Redis.'),
      authentication: triggerAuth,
    }),
    ...(keda.kafka
      ? {
          kafka: obj('Triggers on Kafka consumer lag (names follow kafka.topicPrefix as the app\'s do). Replicas beyond the partition count stay idle.', {
            enabled: bool('Scale on the lag of herald-bridge on north-updates.'),
            southUpdates: bool('Also scale on the lag of herald-tracking on south-updates.'),
            bootstrapServers: str('Brokers as KEDA reaches them (comma-separated); empty: kafka.brokers.'),
            lagThreshold: int('Target lag per replica.', { minimum: 1 }),
            activationLagThreshold: int('Lag above which the scaler is active.', { minimum: 0 }),
            offsetResetPolicy: { type: 'string', enum: ['latest', 'earliest'], description: 'How KEDA counts lag for a group without offsets.' },
            authentication: triggerAuth,
          }),
        }
      : {}),
  });

const pdb = obj('PodDisruptionBudget. maxUnavailable: 1 by default (a single replica never blocks a node drain forever).', {
  enabled: bool('Create the PodDisruptionBudget.'),
  maxUnavailable: { oneOf: [...PERCENT_OR_INT.oneOf, { type: 'null' }], description: 'Pods that may be down at once (number or %).' },
  minAvailable: { oneOf: [...PERCENT_OR_INT.oneOf, { type: 'null' }], description: 'Pods that must stay up (number or %); when set, used instead of maxUnavailable.' },
  unhealthyPodEvictionPolicy: { type: 'string', enum: ['', 'IfHealthyBudget', 'AlwaysAllow'], description: 'AlwaysAllow lets drains evict pods that are not ready; empty: the cluster default.' },
});

/** @param {string[]} destinations */
const egressSchema = (destinations) =>
  obj('Egress, restricted by default to DNS and the destinations below (one rule each), plus extra. The cloud metadata addresses (169.254.169.254, fd00:ec2::254) are always blocked, whatever these values say.', {
    restricted: bool('true: egress only to DNS, the destinations below and extra. false: any destination on any port (the metadata addresses still blocked).'),
    dns: obj('DNS, UDP and TCP port 53.', { to: peers('NetworkPolicyPeer entries of the DNS servers; empty: any address.') }),
    ...Object.fromEntries(
      destinations.map((name) => {
        const [description, minItems] = DESTINATIONS[/** @type {keyof typeof DESTINATIONS} */ (name)];
        return [name, obj(description, {
          ports: list(`TCP ports${minItems ? '' : ' (with the brokers\' ports)'}.`, TCP_PORT, { minItems, uniqueItems: true }),
          to: peers('NetworkPolicyPeer entries (e.g. a namespaceSelector, ipBlock CIDRs); empty: any address.'),
        }, { required: ['ports'] })];
      }),
    ),
    extra: list(
      'More NetworkPolicyEgressRule entries. Peers as above (an ipBlock containing a metadata address gets it in except); a rule without to means any address but the metadata ones; without ports, every port.',
      obj('A NetworkPolicyEgressRule.', {
        to: peers('Peers; empty: any address.'),
        ports: list('NetworkPolicyPort entries.', obj('A NetworkPolicyPort.', {
          port: { oneOf: [TCP_PORT, { type: 'string', minLength: 1 }], description: 'Port number or name.' },
          endPort: TCP_PORT,
          protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'], description: 'Protocol (TCP when left out).' },
        })),
      }),
    ),
  }, { required: ['restricted'] });

/** @param {boolean} external @param {string[]} destinations */
const networkPolicy = (external, destinations) =>
  obj('NetworkPolicy: ingress to the pod\'s one port (http; kubelet probes are not affected) and egress to what the app needs.', {
    enabled: bool('Create the NetworkPolicy (false: no policy at all, and nothing blocks the cloud metadata addresses).'),
    allowExternal: bool(external ? 'Accept from anywhere (the public intake).' : 'Accept from anywhere; false: only ingressFrom, metricsFrom and pods of this release.'),
    ingressFrom: peers('NetworkPolicyPeer entries allowed in when allowExternal is false.'),
    metricsFrom: peers('NetworkPolicyPeer entries allowed to scrape /metrics when allowExternal is false.'),
    egress: egressSchema(destinations),
  });

const serviceMonitor = obj('Prometheus Operator ServiceMonitor for GET /metrics (needs the monitoring.coreos.com CRDs and service.enabled).', {
  enabled: bool('Create the ServiceMonitor.'),
  namespace: str('Namespace of the ServiceMonitor; empty: the release namespace.'),
  interval: str('Scrape interval.', { pattern: '^[0-9]+(ms|s|m|h)$' }),
  scrapeTimeout: str('Scrape timeout.', { pattern: '^[0-9]+(ms|s|m|h)$' }),
  labels: map('Extra labels (e.g. the release label your Prometheus selects).'),
  relabelings: list('Relabelings.'),
  metricRelabelings: list('Metric relabelings.'),
});

const migrations = obj('The database migration Job, a Helm pre-install and pre-upgrade hook (image herald/migrate). DATABASE_URL comes from the database Secret.', {
  enabled: bool('Run the hook Job with this release.'),
  image: imageSchema('Migration image.'),
  args: list('Arguments replacing the image\'s command arguments.', { type: 'string' }),
  backoffLimit: int('Retries before the Job (and the install or upgrade) fails.', { minimum: 0 }),
  activeDeadlineSeconds: int('Seconds before the Job is stopped.', { minimum: 1 }),
  serviceAccountName: str('ServiceAccount of the Job; it must exist before the install (hooks run first). Empty: the namespace\'s default account (no token is mounted).', { pattern: DNS_NAME }),
  podAnnotations: map('Pod annotations.'),
  extraEnv: list('Extra EnvVar entries.', obj('An EnvVar.', { name: str('Name.', { pattern: ENV_NAME }), value: str('Value.'), valueFrom: { type: 'object', description: 'Source.' } }, { required: ['name'] })),
  resources,
});

const envVar = obj('An EnvVar.', { name: str('Name.', { pattern: ENV_NAME }), value: str('Value.'), valueFrom: { type: 'object', description: 'Source (secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef).' } }, { required: ['name'] });

/**
 * The pattern of a list variable given as one string: items separated by commas (spaces around
 * them allowed, as the app trims them), each matching the app's item pattern, which must be
 * anchored (^...$); without an item pattern, at least one item.
 * @param {RegExp | undefined} item
 */
function listPattern(item) {
  if (!item) return '[^,\\s]';
  const source = item.source;
  if (!source.startsWith('^') || !source.endsWith('$')) throw new Error(`list item pattern ${source} is not anchored (^...$)`);
  const one = `(?:${source.slice(1, -1)})`;
  return `^ *${one} *(, *${one} *)*$`;
}

/**
 * One Herald variable as a schema property.
 * @param {any} spec a VarSpec from @herald/runtime
 */
function variableSchema(spec) {
  /** @type {Schema} */
  let s;
  const kind = String(spec.kind);
  if (kind === 'integer') {
    s = { type: 'integer', minimum: spec.min ?? 0 };
    if (spec.max !== undefined) s.maximum = spec.max;
  } else if (kind === 'port') {
    s = { type: 'integer', minimum: 0, maximum: 65535 };
  } else if (kind === 'boolean') {
    s = { type: 'boolean' };
  } else if (kind.startsWith('one of ')) {
    s = { type: 'string', enum: kind.slice('one of '.length).split(', ') };
  } else if (kind === 'comma-separated list') {
    // A YAML list, or the comma-separated string the app reads (e.g. ses,sendgrid,smtp): each item
    // checked against the app's item pattern either way.
    s = { type: ['array', 'string'], minItems: 1, items: { type: 'string', ...(spec.item ? { pattern: spec.item.source } : {}) }, pattern: listPattern(spec.item) };
  } else if (kind.startsWith('URL')) {
    s = { type: 'string', pattern: `^(${spec.protocols.join('|')})://` };
  } else if (kind === 'string') {
    s = { type: 'string', minLength: spec.minLength ?? 1 };
    if (spec.pattern) s.pattern = spec.pattern.source;
  } else {
    throw new Error(`no schema for variable kind "${kind}"`);
  }
  const computed = typeof spec.default === 'function';
  const shown = spec.defaultLabel ?? (computed ? 'computed' : undefined);
  s.description = spec.description + (shown ? ` Default: ${shown}.` : '');
  if (!computed && spec.default !== undefined && !spec.secret) s.default = spec.default;
  return s;
}

/**
 * The SASL mechanisms the app accepts (KAFKA_SASL_MECHANISM's values), from its spec.
 * @param {string} app @param {Record<string, any>} configSpec
 * @returns {string[]}
 */
export function saslMechanisms(app, configSpec) {
  const s = configSpec.KAFKA_SASL_MECHANISM && variableSchema(configSpec.KAFKA_SASL_MECHANISM);
  if (!s?.enum?.includes('none')) throw new Error(`${app}: KAFKA_SASL_MECHANISM is not a one-of variable with "none" among its values`);
  return s.enum;
}

/**
 * The `config` section: every variable of the app's spec that the chart does not manage.
 * @param {string} app @param {Record<string, any>} configSpec
 */
export function configSchema(app, configSpec) {
  const facts = APPS[/** @type {keyof typeof APPS} */ (app)];
  if (!facts) throw new Error(`${app} is not in APPS`);
  const { managed } = facts;
  /** @type {Record<string, Schema>} */
  const properties = {};
  for (const [name, spec] of Object.entries(configSpec)) {
    if (managed.includes(name)) continue;
    if (spec.secret || SECRET_VARIABLES.includes(name)) throw new Error(`${app}: secret variable ${name} must be managed by the chart (from a Secret), not offered in config`);
    properties[name] = variableSchema(spec);
  }
  for (const name of managed) if (!(name in configSpec)) throw new Error(`${app}: the chart manages ${name}, which the app's config spec does not have`);
  return {
    type: 'object',
    description: `Any other ${app} variable, NAME: value (apps/${app}/src/config.ts). Unknown names are refused; secrets are never set here.`,
    additionalProperties: false,
    properties,
  };
}

/** The providerSecrets values block of an app: one optional Secret reference per provider secret. @param {NonNullable<AppFacts['providerSecrets']>} p */
function providerSecretsSchema(p) {
  return obj(
    p.description,
    Object.fromEntries(Object.entries(p.refs).map(([key, r]) => [key, secretRef(`${r.variable} (${r.when})`, p.secret, r.variable, true)])),
    { required: Object.keys(p.refs) },
  );
}

/**
 * The webhooks values block of the ingest-api and the webhook-worker: the Secret holding
 * WEBHOOK_SECRETS_KEY (referenced, never a value; the webhook-worker's chart fails closed without
 * it) and WEBHOOK_ALLOW_PRIVATE_TARGETS, which also widens the webhook-worker's egress.
 * @param {{ keyRequired: boolean }} w
 */
function webhooksSchema(w) {
  return obj('Webhooks (the same in the ingest-api and the webhook-worker; global.herald.webhooks sets both at once).', {
    secretsKey: obj(
      `An existing Secret holding WEBHOOK_SECRETS_KEY, the key that seals the endpoints' signing secrets at rest (32 bytes in base64: openssl rand -base64 32). The same Secret for the ingest-api and the webhook-worker. ${w.keyRequired
        ? 'Required: the webhook-worker signs every call with the secrets it opens, and the render fails without it.'
        : 'Empty: no key, and /v1/webhooks answers 503 (the rest of the API works).'}`,
      {
        existingSecret: str(`Name of the Secret (e.g. herald-webhooks).${w.keyRequired ? ' Never empty (the render fails).' : ' Empty: webhooks off.'}`, { pattern: `^$|${SECRET_NAME}` }),
        existingSecretKey: str('Key in the Secret (e.g. WEBHOOK_SECRETS_KEY).', { minLength: 1, pattern: SECRET_KEY }),
      },
      { required: ['existingSecret', 'existingSecretKey'] },
    ),
    allowPrivateTargets: bool(
      `WEBHOOK_ALLOW_PRIVATE_TARGETS: allow webhook targets on loopback, private, link-local, CGNAT and unique-local addresses, and http URLs (local and test clusters only; metadata addresses stay refused).${w.keyRequired ? ' Also opens the NetworkPolicy\'s webhooks egress to any address but the metadata ones (pods included) when its to is empty.' : ''}`,
    ),
  }, { required: ['secretsKey', 'allowPrivateTargets'] });
}

/**
 * The receipts-api's own values: where providers call it (RECEIPTS_PUBLIC_URL) and whose callbacks
 * it takes (RECEIPT_PROVIDERS, with the names its spec accepts).
 * @param {Record<string, any>} configSpec
 */
function receiptsValues(configSpec) {
  const providers = configSpec.RECEIPT_PROVIDERS;
  if (!providers?.item) throw new Error('receipts-api: RECEIPT_PROVIDERS is not a list variable with an item pattern');
  return {
    publicUrl: str(
      'RECEIPTS_PUBLIC_URL: the URL providers call this service at, as they see it (scheme, host, optional port and path prefix; no query). Twilio\'s signatures cover it, so it must be exactly the URL Twilio calls (its base). Empty: https://<ingress.hosts[0].host> when the Ingress is on; with receiptProviders and neither, the render fails.',
      { pattern: '^$|^https?://[^/?#\\s]+(/[^?#\\s]*)?$' },
    ),
    receiptProviders: list(`RECEIPT_PROVIDERS: ${providers.description}`, { type: 'string', pattern: providers.item.source }, { uniqueItems: true }),
  };
}

/**
 * @param {string} app
 * @param {Record<string, any>} configSpec
 * @param {{ graceMs: number }} facts
 */
export function appSchema(app, configSpec, facts) {
  const a = APPS[/** @type {keyof typeof APPS} */ (app)];
  if (!a) throw new Error(`${app} is not in APPS`);
  const isApi = app === 'ingest-api';
  const mechanisms = saslMechanisms(app, configSpec);
  /** @type {Record<string, Schema>} */
  const properties = {
    global: globalSchema(mechanisms),
    enabled: bool('Read by the umbrella chart (herald) only: install this app.'),
    'herald-common': { type: 'object', description: 'The library chart (no values; Helm adds the key).' },
    nameOverride: str('Replaces the chart name in resource names.', { pattern: DNS_NAME }),
    fullnameOverride: str('Replaces the whole resource name.', { pattern: DNS_NAME }),
    commonLabels: map('Labels added to every resource.'),
    commonAnnotations: map('Annotations added to every resource.'),
    image: imageSchema(`Image of the ${app} (deploy/docker/${app}.Dockerfile).`),
    imagePullSecrets: list('Pull secrets (names, or {name: ...}).', { oneOf: [{ type: 'string' }, obj('A LocalObjectReference.', { name: str('Secret name.') }, { required: ['name'] })] }),
    replicaCount: int('Replicas when no autoscaler owns the count.', { minimum: 0 }),
    revisionHistoryLimit: int('Old ReplicaSets kept.', { minimum: 0 }),
    updateStrategy: { type: 'object', description: 'Deployment strategy.' },
    containerPort: int(a.port === 'PORT' ? `PORT: ${a.serves}, /healthz, /readyz and /metrics (container port "http").` : 'HEALTH_PORT: /healthz, /readyz and /metrics (container port "http").', { minimum: 1, maximum: 65535 }),
    ...(a.managed.includes('WEB_CONCURRENCY') ? { webConcurrency: int('WEB_CONCURRENCY: processes per pod. 1: one process, no cluster primary (scale by pods).', { minimum: 1, maximum: 64 }) } : {}),
    kafka: obj('Kafka: the brokers, and TLS and SASL for a managed Kafka (Confluent Cloud, MSK, Aiven, ...).', {
      brokers: kafkaBrokers('KAFKA_BROKERS: bootstrap brokers, host:port.'),
      topicPrefix: str(`KAFKA_TOPIC_PREFIX: namespace of topic${app === 'kafka-bridge' ? ' and consumer-group' : ''} names; empty for none.`, { pattern: '^[A-Za-z0-9._-]*$' }),
      tls: obj('TLS to the brokers.', {
        enabled: bool('KAFKA_SSL: connect over TLS.'),
        ca: obj(`A PEM bundle of the certificate authorities to trust (a private CA), from an existing Secret or ConfigMap, mounted read-only at ${KAFKA_CA_DIR}; KAFKA_SSL_CA_FILE is then ${KAFKA_CA_FILE}. Neither named: the system CAs. Needs tls.enabled.`, {
          existingSecret: str('Secret holding the bundle; empty: none.', { pattern: `^$|${SECRET_NAME}` }),
          existingConfigMap: str('ConfigMap holding the bundle (not both); empty: none.', { pattern: `^$|${SECRET_NAME}` }),
          key: str('Key of the bundle in the Secret or ConfigMap.', { minLength: 1, pattern: SECRET_KEY }),
        }),
      }),
      sasl: obj('SASL authentication. With a mechanism other than none, username and password are required (the render fails otherwise).', {
        mechanism: { type: 'string', enum: mechanisms, description: 'KAFKA_SASL_MECHANISM.' },
        username: str('KAFKA_SASL_USERNAME (a plain value: not a secret).'),
        password: obj('An existing Secret holding KAFKA_SASL_PASSWORD (referenced, never given).', {
          existingSecret: str('Name of the Secret (e.g. herald-kafka); empty: none (only with mechanism none).', { pattern: `^$|${SECRET_NAME}` }),
          existingSecretKey: str('Key in the Secret (e.g. KAFKA_SASL_PASSWORD).', { pattern: `^$|${SECRET_KEY}` }),
        }),
      }),
    }, { required: ['brokers'] }),
    ...(a.database ? { database: secretRef('DATABASE_URL (postgresql://user:password@host:5432/herald)', 'herald-database', 'DATABASE_URL') } : {}),
    ...(a.redis
      ? {
          redis: secretRef(
            isApi
              ? 'REDIS_URL (redis://:password@host:6379/0; rediss:// for TLS): the Idempotency-Key records, which should survive a Redis restart (persistence on), and the WebhookQueue jobs of webhook tests and replays (so the webhook-worker\'s Redis: maxmemory-policy noeviction)'
              : 'REDIS_URL (redis://:password@host:6379/0; rediss:// for TLS): the BullMQ queues (maxmemory-policy noeviction)',
            'herald-redis',
            'REDIS_URL',
          ),
        }
      : {}),
    ...(a.queues
      ? { queues: obj('BullMQ.', { prefix: str('QUEUE_PREFIX: BullMQ key prefix; the same for every app of one deployment (the ingest-api, the bridge, the workers).', { minLength: 1, pattern: '^[A-Za-z0-9._-]+$' }) }, { required: ['prefix'] }) }
      : {}),
    ...(isApi
      ? {
          apiKeys: obj(
            'An existing Secret holding API_KEYS (name:key pairs, comma-separated): /v1 requires Authorization: Bearer <key> and each client sees only its own messages. Required unless auth.disabled is true: without it the render fails.',
            {
              existingSecret: str('Name of the Secret (e.g. herald-api-keys). Empty only together with auth.disabled: true.', { pattern: `^$|${SECRET_NAME}` }),
              existingSecretKey: str('Key in the Secret (e.g. API_KEYS).', { minLength: 1, pattern: SECRET_KEY }),
            },
            { required: ['existingSecret', 'existingSecretKey'] },
          ),
          auth: obj('Authentication of /v1.', {
            disabled: bool('AUTH_DISABLED: true runs /v1 without authentication (every request is client "default"; the app warns at every start, NOTES.txt too). Needs apiKeys.existingSecret empty. For local and test clusters only.'),
          }, { required: ['disabled'] }),
        }
      : {}),
    ...(a.webhooks ? { webhooks: webhooksSchema(a.webhooks) } : {}),
    ...(app === 'email-worker' ? { smtp: secretRef('SMTP_URL (smtp://user:password@host:587?requireTLS=true; smtps:// for implicit TLS)', 'herald-smtp', 'SMTP_URL', true) } : {}),
    ...(app === 'sms-worker'
      ? {
          smsProvider: obj('The HTTP SMS gateway.', {
            url: str('SMS_PROVIDER_URL: base URL of the gateway (POST /messages).', { pattern: '^https?://' }),
            apiKey: secretRef('SMS_PROVIDER_API_KEY (the gateway\'s bearer token)', 'herald-sms', 'SMS_PROVIDER_API_KEY', true),
          }, { required: ['url', 'apiKey'] }),
        }
      : {}),
    ...(app === 'receipts-api' ? receiptsValues(configSpec) : {}),
    ...(a.providerSecrets ? { providerSecrets: providerSecretsSchema(a.providerSecrets) } : {}),
    config: configSchema(app, configSpec),
    extraEnv: list('Raw EnvVar entries (a name the chart or config already sets fails the render).', envVar),
    extraEnvFrom: list('EnvFromSource entries.'),
    drain: drain(facts.graceMs),
    livenessProbe: probe('Liveness probe timings (GET /healthz: the process answers; never a dependency).'),
    readinessProbe: probe('Readiness probe timings (GET /readyz: dependencies reachable, not draining).', { success: true }),
    startupProbe: probe('Startup probe timings (GET /healthz), holding liveness off while the process starts.', { enabled: true }),
    resources,
    podSecurityContext,
    containerSecurityContext,
    tmpSizeLimit: str('Size limit of the writable /tmp emptyDir.', { pattern: QUANTITY }),
    extraVolumes: list('Extra volumes.'),
    extraVolumeMounts: list('Extra volume mounts.'),
    serviceAccount,
    automountServiceAccountToken: bool('Mount an API token in the pods (Herald never calls the Kubernetes API).'),
    podAnnotations: map('Pod annotations.'),
    podLabels: map('Pod labels.'),
    priorityClassName: str('PriorityClass of the pods.'),
    nodeSelector: map('Node selector.'),
    tolerations: list('Tolerations.'),
    affinity: { type: 'object', description: 'Affinity.' },
    topologySpreadConstraints: list(
      'Topology spread constraints; an entry without labelSelector gets the pods\' selector labels.',
      { type: 'object', required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], properties: { maxSkew: { type: 'integer', minimum: 1 }, topologyKey: { type: 'string' }, whenUnsatisfiable: { type: 'string', enum: ['DoNotSchedule', 'ScheduleAnyway'] } } },
    ),
    service: obj(a.port === 'PORT' ? `The Service in front of ${a.serves}.` : 'A Service on the health/metrics port (for Prometheus and the ServiceMonitor).', {
      enabled: bool('Create the Service.'),
      type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer'], description: 'Service type.' },
      port: int('Service port.', { minimum: 1, maximum: 65535 }),
      annotations: map('Service annotations.'),
    }),
    ...(a.ingress
      ? {
          ingress: obj(`An Ingress to ${a.serves}. Only the listed paths are routed (by default ${a.ingress.path}: ${a.ingress.inside} stay inside).`, {
            enabled: bool('Create the Ingress.'),
            className: str('IngressClass.'),
            annotations: map('Ingress annotations.'),
            hosts: list('Hosts and their paths.', obj('A host.', {
              host: str('Host name.', { minLength: 1 }),
              paths: list('Paths.', obj('A path.', { path: str('Path.', { pattern: '^/' }), pathType: { type: 'string', enum: ['Prefix', 'Exact', 'ImplementationSpecific'], description: 'Path type.' } }, { required: ['path', 'pathType'] }), { minItems: 1 }),
            }, { required: ['host', 'paths'] })),
            tls: list('TLS entries (secretName, hosts).'),
          }),
        }
      : {}),
    autoscaling: autoscaling(a.hpa ?? 'HorizontalPodAutoscaler on CPU (keda is the better signal for a queue consumer; not both).'),
    ...(a.keda ? { keda: kedaSchema(a.keda) } : {}),
    pdb,
    networkPolicy: networkPolicy(a.public, a.egress),
    serviceMonitor,
    ...(a.database ? { migrations } : {}),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions: DEFINITIONS,
    title: `Values of the ${app} chart`,
    type: 'object',
    additionalProperties: false,
    required: [
      'image', 'containerPort', 'kafka', ...(a.database ? ['database'] : []), 'drain', 'resources', 'podSecurityContext', 'containerSecurityContext', 'pdb', 'networkPolicy',
      ...(a.database ? ['migrations'] : []), ...(isApi ? ['apiKeys', 'auth'] : []), ...(a.webhooks ? ['webhooks'] : []), ...(a.providerSecrets ? ['providerSecrets'] : []), ...(app === 'receipts-api' ? ['publicUrl', 'receiptProviders'] : []),
    ],
    properties,
  };
}

/** @param {{ saslMechanisms: string[] }} facts */
export function umbrellaSchema(facts) {
  const sub = (/** @type {string} */ app) => ({
    type: 'object',
    description: `Values of the ${app} chart (see deploy/charts/${app}/README.md); its own schema checks them. enabled: install it.`,
    properties: { enabled: bool(`Install the ${app}.`) },
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions: DEFINITIONS,
    title: 'Values of the herald umbrella chart',
    type: 'object',
    additionalProperties: false,
    required: ['global', 'migrations'],
    properties: {
      global: { ...globalSchema(facts.saslMechanisms), required: ['herald'] },
      nameOverride: str('Replaces the chart name in resource names (of the migration Job).', { pattern: DNS_NAME }),
      fullnameOverride: str('Replaces the whole name of the migration Job\'s resources.', { pattern: DNS_NAME }),
      commonLabels: map('Labels added to the migration Job.'),
      commonAnnotations: map('Annotations added to the migration Job.'),
      imagePullSecrets: list('Pull secrets of the migration Job.', { oneOf: [{ type: 'string' }, obj('A LocalObjectReference.', { name: str('Secret name.') }, { required: ['name'] })] }),
      migrations,
      podSecurityContext,
      containerSecurityContext,
      tmpSizeLimit: str('Size limit of the migration Job\'s /tmp.', { pattern: QUANTITY }),
      nodeSelector: map('Node selector of the migration Job.'),
      tolerations: list('Tolerations of the migration Job.'),
      'herald-common': { type: 'object', description: 'The library chart (no values).' },
      ...Object.fromEntries(Object.keys(APPS).map((app) => [app, sub(app)])),
    },
  };
}
