/** Reading the objects fast-xml-parser builds (attributes as `@_name`, text as `#text`). */
export type XmlNode = Record<string, unknown>;

/** An element that may occur once or many times, as a list. */
export const nodes = (value: unknown): XmlNode[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is XmlNode => typeof v === 'object' && v !== null,
  );

/** The text of an element (CDATA included), whether the parser gave a string or a node with attributes. */
export function textOf(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  if (typeof first === 'object') {
    const inner = (first as XmlNode)['#text'];
    return inner === undefined ? null : String(inner);
  }
  return String(first);
}

export function attr(value: unknown, name: string): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'object' || first === null) return null;
  const found = (first as XmlNode)[`@_${name}`];
  return found === undefined || found === '' ? null : String(found);
}
