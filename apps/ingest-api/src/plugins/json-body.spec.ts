import { MAX_JSON_DEPTH, checkJsonShape } from '@herald/contracts';
import { contentTypeProblem } from './json-body';

describe('contentTypeProblem', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;CHARSET=UTF-8', 'application/json; charset="utf-8"', 'application/problem+json'])('takes %s', (header) => {
    expect(contentTypeProblem(header)).toBeUndefined();
  });

  it.each([
    [undefined, 'no content type'],
    ['text/plain', 'text/plain'],
    ['application/json; charset=latin1', 'charset latin1'],
    ['application/json; charset=', 'a malformed content type'],
    ['application/json, text/plain', 'a malformed content type'],
  ])('refuses %s, saying %s', (header, problem) => {
    expect(contentTypeProblem(header)).toBe(problem);
  });
});

describe('checkJsonShape', () => {
  it('passes a message-sized document', () => {
    expect(checkJsonShape({ to: { email: 'a@b.co' }, channels: ['email'], metadata: { a: 1, b: 'x' } })).toBeUndefined();
  });

  it('refuses more values than the bound, counting every value once', () => {
    expect(checkJsonShape(Array.from({ length: 10 }, () => 1), 11)).toBeUndefined();
    expect(checkJsonShape(Array.from({ length: 11 }, () => 1), 11)).toMatch(/more than 11 values/);
  });

  it('refuses nesting deeper than the bound without recursing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(checkJsonShape(deep, 1_000_000)).toMatch(new RegExp(`more than ${MAX_JSON_DEPTH} levels`));
  });
});
