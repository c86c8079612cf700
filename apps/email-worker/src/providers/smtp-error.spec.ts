import { classifySmtpError } from './smtp-error';

const err = (props: Record<string, unknown>) => Object.assign(new Error('smtp said no'), props);

describe('classifySmtpError', () => {
  it.each([
    ['a 4xx reply', { code: 'EENVELOPE', responseCode: 450 }, { code: 'SMTP_450', permanent: false, outcomeUnknown: false }],
    ['a 421 (service closing)', { code: 'ECONNECTION', responseCode: 421 }, { code: 'SMTP_421', permanent: false, outcomeUnknown: false }],
    ['a 550 (mailbox unavailable)', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, { code: 'SMTP_550', permanent: true, outcomeUnknown: false }],
    ['a 554 after DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, { code: 'SMTP_554', permanent: true, outcomeUnknown: false }],
    ['a 503 (bad sequence) as transient', { code: 'EPROTOCOL', responseCode: 503 }, { code: 'SMTP_503', permanent: false, outcomeUnknown: false }],
    ['an invalid recipient found before sending', { code: 'EENVELOPE', command: 'API' }, { code: 'EENVELOPE', permanent: true, outcomeUnknown: false }],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, { code: 'ECONNREFUSED', permanent: false, outcomeUnknown: false }],
    ['a connect timeout', { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }, { code: 'CONNECT_TIMEOUT', permanent: false, outcomeUnknown: false }],
    ['bad credentials', { code: 'EAUTH', responseCode: undefined }, { code: 'EAUTH', permanent: false, outcomeUnknown: false }],
    ['a socket timeout mid-transaction', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, { code: 'ETIMEDOUT', permanent: false, outcomeUnknown: true }],
    ['a reset mid-transaction', { code: 'ESOCKET', originalCode: 'ECONNRESET' }, { code: 'ESOCKET', permanent: false, outcomeUnknown: true }],
    ['the server closing during a send', { code: 'ECONNECTION', command: 'CONN' }, { code: 'ECONNECTION', permanent: false, outcomeUnknown: true }],
  ])('classifies %s', (_name, props, expected) => {
    const classified = classifySmtpError(err(props));
    expect({ code: classified.code, permanent: classified.permanent, outcomeUnknown: classified.outcomeUnknown }).toEqual(expected);
  });

  it('treats something that is not an SMTP error as an unknown outcome', () => {
    expect(classifySmtpError('boom')).toMatchObject({ code: 'SMTP_ERROR', outcomeUnknown: true, permanent: false });
  });
});
