/**
 * Kafka TLS and SASL as the tests set them (herald-common's _kafka.tpl renders them): the values
 * of a managed Kafka, and the paths and names the rendered pods must show.
 */

/** Where the charts mount the CA bundle (read-only), and the file KAFKA_SSL_CA_FILE names. */
export const KAFKA_CA_DIR = '/etc/herald/kafka-ca';
export const KAFKA_CA_FILE = `${KAFKA_CA_DIR}/ca.crt`;

/** The name of the CA bundle's volume (and volumeMount). */
export const KAFKA_CA_VOLUME = 'kafka-ca';

/** TLS with a private CA from an existing Secret (default key ca.crt). */
export const TLS_CA_SECRET = { tls: { enabled: true, ca: { existingSecret: 'kafka-ca' } } };

/** TLS with a private CA from an existing ConfigMap (default key ca.crt). */
export const TLS_CA_CONFIGMAP = { tls: { enabled: true, ca: { existingConfigMap: 'kafka-ca-bundle' } } };

/** SASL/SCRAM-SHA-512, the password in an existing Secret under the chart's default key. */
export const SASL_SCRAM = { sasl: { mechanism: 'scram-sha-512', username: 'herald', password: { existingSecret: 'herald-kafka' } } };

/** A managed Kafka with a private CA: every Kafka variable the charts manage is set. */
export const MANAGED_KAFKA = { ...TLS_CA_SECRET, ...SASL_SCRAM };
