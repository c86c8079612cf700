/**
 * A bound on the shape of a JSON document, checked before schema validation wherever untrusted
 * JSON comes in (HTTP bodies, Kafka records): at most MAX_JSON_NODES values nested at most
 * MAX_JSON_DEPTH deep. A real message has a few dozen values (metadata holds at most 32), so the
 * bound costs nothing, while a hostile document within the size limit can no longer make
 * validation expensive. Iterative: no recursion on hostile input.
 */
export const MAX_JSON_NODES = 2_000;
export const MAX_JSON_DEPTH = 16;

/** Why the document is too big in shape, or undefined when it is within the bounds. */
export function checkJsonShape(value: unknown, maxNodes = MAX_JSON_NODES, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    nodes += 1;
    if (nodes > maxNodes) return `The body has more than ${maxNodes} values; a message needs far fewer.`;
    if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return `The body is nested more than ${maxDepth} levels deep.`;
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
