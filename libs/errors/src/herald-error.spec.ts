import { HeraldError, isHeraldError } from './herald-error';

class ExampleError extends HeraldError {
  static override readonly heraldCode: string = 'HERALD_ERR_EXAMPLE'; // string: a subclass has its own
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`example failed: ${detail}`, options);
  }
}

class NarrowerError extends ExampleError {
  static override readonly heraldCode = 'HERALD_ERR_EXAMPLE_NARROWER';
}

describe('HeraldError', () => {
  it('is an Error and a HeraldError, with the class name as name and its message', () => {
    const error = new ExampleError('disk full');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toBeInstanceOf(ExampleError);
    expect(error.name).toBe('ExampleError');
    expect(error.message).toBe('example failed: disk full');
    expect(error.detail).toBe('disk full');
    expect(String(error)).toBe('ExampleError: example failed: disk full');
    expect(error.stack).toContain('ExampleError: example failed: disk full');
  });

  it("carries its class's stable code, a subclass its own", () => {
    expect(new ExampleError('x').heraldCode).toBe('HERALD_ERR_EXAMPLE');
    expect(ExampleError.heraldCode).toBe('HERALD_ERR_EXAMPLE');
    const narrower = new NarrowerError('y');
    expect(narrower.heraldCode).toBe('HERALD_ERR_EXAMPLE_NARROWER');
    expect(narrower.name).toBe('NarrowerError');
    expect(narrower).toBeInstanceOf(ExampleError);
    expect(new HeraldError('plain').heraldCode).toBe('HERALD_ERR');
  });

  it('passes the cause through, and has none when given none', () => {
    const cause = new Error('ECONNRESET');
    expect(new ExampleError('x', { cause }).cause).toBe(cause);
    expect(new ExampleError('x', { cause: 'a string' }).cause).toBe('a string');
    const without = new ExampleError('x');
    expect(without.cause).toBeUndefined();
    expect('cause' in without).toBe(false);
  });

  it('shows its code to JSON and to loggers (an own enumerable field)', () => {
    const error = new ExampleError('x');
    expect(Object.keys(error)).toEqual(expect.arrayContaining(['name', 'heraldCode', 'detail']));
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'ExampleError', heraldCode: 'HERALD_ERR_EXAMPLE', detail: 'x' });
  });

  it('isHeraldError tells Herald errors apart, by code when asked', () => {
    expect(isHeraldError(new ExampleError('x'))).toBe(true);
    expect(isHeraldError(new ExampleError('x'), 'HERALD_ERR_EXAMPLE')).toBe(true);
    expect(isHeraldError(new NarrowerError('x'), 'HERALD_ERR_EXAMPLE')).toBe(false);
    expect(isHeraldError(new Error('x'))).toBe(false);
    expect(isHeraldError({ heraldCode: 'HERALD_ERR_EXAMPLE' })).toBe(false);
    expect(isHeraldError(undefined)).toBe(false);
  });
});
