import { XMLParser } from 'fast-xml-parser';

/**
 * The shape of a gateway document, to compare the simulator's documents with AltaPay's real ones
 * element by element: names, nesting, casing, order among siblings, attribute names and the format
 * of each value (never the values themselves, which differ from payment to payment). Written apart
 * from the product's parser on purpose: it must see what that parser is lenient about.
 */

/** One element: its name, attribute names, children in document order, and trimmed text. */
export interface ShapeNode {
  readonly name: string;
  readonly attributes: readonly string[];
  readonly children: readonly ShapeNode[];
  readonly text: string;
}

/** The value formats a gateway value can have; `decimal(N)` has N places after the dot. */
export type ValueFormat =
  | 'empty'
  | 'integer'
  | `decimal(${number})`
  | 'YYYY-MM-DD HH:MM:SS'
  | 'ISO date-time with offset'
  | 'uuid'
  | 'true/false'
  | 'free text';

/** Which of `ValueFormat` a value is in. */
export function valueFormat(value: string): ValueFormat {
  const text = value.trim();
  if (text === '') return 'empty';
  if (/^-?\d+$/.test(text)) return 'integer';
  const decimal = /^-?\d+\.(\d+)$/.exec(text);
  if (decimal !== null) return `decimal(${decimal[1]?.length ?? 0})`;
  if (/^-?\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return 'YYYY-MM-DD HH:MM:SS';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/.test(text)) {
    return 'ISO date-time with offset';
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return 'uuid';
  if (text === 'true' || text === 'false') return 'true/false';
  return 'free text';
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
});

type OrderedNode = Record<string, unknown>;

function toShape(node: OrderedNode): ShapeNode | undefined {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return undefined;
  const content = (node[name] ?? []) as OrderedNode[];
  const children = content.map(toShape).filter((child): child is ShapeNode => child !== undefined);
  const text = content
    .map((part) => (typeof part['#text'] === 'string' ? part['#text'] : ''))
    .join('')
    .trim();
  const attributes = Object.keys((node[':@'] ?? {}) as Record<string, string>).sort();
  return { name, attributes, children, text };
}

/** The root element of an XML document, as a shape (a BOM and comments are no part of it). */
export function documentShape(xml: string): ShapeNode {
  const nodes = parser.parse(xml.replace(/^\uFEFF/, '')) as OrderedNode[];
  const root = nodes.map(toShape).find((node) => node !== undefined);
  if (root === undefined) throw new Error('The document has no root element.');
  return root;
}

/** The first element at `path` below `node` (names separated by '/'), or undefined. */
export function elementAt(node: ShapeNode, path: string): ShapeNode | undefined {
  let current: ShapeNode | undefined = node;
  for (const name of path.split('/').filter((part) => part !== '')) {
    current = current?.children.find((child) => child.name === name);
  }
  return current;
}

/** All elements named `name` directly below the element at `path`. */
export function elementsAt(node: ShapeNode, path: string, name: string): readonly ShapeNode[] {
  return elementAt(node, path)?.children.filter((child) => child.name === name) ?? [];
}

/**
 * One way the simulator's document differs from a real one. `key` names the difference without the
 * values, so one allow-list entry covers it in every document; `detail` adds what was seen.
 */
export interface ShapeDifference {
  readonly key: string;
  readonly detail: string;
}

function groupByName(children: readonly ShapeNode[]): Map<string, ShapeNode[]> {
  const groups = new Map<string, ShapeNode[]>();
  for (const child of children) groups.set(child.name, [...(groups.get(child.name) ?? []), child]);
  return groups;
}

function isEmpty(node: ShapeNode): boolean {
  return node.children.length === 0 && node.text === '';
}

/** A form field's place in a `ShapeCorpus`; the merchant's own keys are folded: `transaction_info[*]`. */
function formPath(name: string): string {
  return `form/${name.replace(/^transaction_info\[.*\]$/, 'transaction_info[*]')}`;
}

/**
 * What a set of real documents shows as a whole: every element path, every value format at each path,
 * and every order of two siblings. A single real document may be older or cut down; what the
 * simulator writes is questioned only when no real document shows it.
 */
export class ShapeCorpus {
  private readonly paths = new Set<string>();
  private readonly formats = new Map<string, Set<ValueFormat>>();
  private readonly orders = new Set<string>();

  /** Adds one real document's root element. */
  add(root: ShapeNode): this {
    const walk = (node: ShapeNode, path: string): void => {
      this.paths.add(path);
      if (node.children.length === 0) {
        const formats = this.formats.get(path) ?? new Set<ValueFormat>();
        formats.add(valueFormat(node.text));
        this.formats.set(path, formats);
      }
      const names = [...new Set(node.children.map((child) => child.name))];
      names.forEach((before, i) => {
        for (const after of names.slice(i + 1)) this.orders.add(`${path}|${before}|${after}`);
      });
      for (const child of node.children) walk(child, `${path}/${child.name}`);
    };
    walk(root, root.name);
    return this;
  }

  /** Adds one real callback POST's fields (its `xml` field too, as a document). */
  addForm(fields: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'xml') this.add(documentShape(value));
      else {
        const path = formPath(name);
        this.paths.add(path);
        this.formats.set(path, (this.formats.get(path) ?? new Set<ValueFormat>()).add(valueFormat(value)));
      }
    }
    return this;
  }

  hasPath(path: string): boolean {
    return this.paths.has(path);
  }

  hasFormat(path: string, format: ValueFormat): boolean {
    return this.formats.get(path)?.has(format) ?? false;
  }

  /** Whether some real document has `before` ahead of `after` among the children at `path`. */
  hasOrder(path: string, before: string, after: string): boolean {
    return this.orders.has(`${path}|${before}|${after}`);
  }
}

/**
 * How `ours` differs from `real`, element by element. Everything the real document has must be in
 * ours: names (a name that differs only in case is a casing difference), attributes, and values in the
 * real document's format. What ours has beyond it, another format, ours left empty, or another order
 * of siblings is a difference only when no document of `corpus` shows it. An element the real document
 * leaves empty says nothing about its content; repeated elements are compared in turn (a real
 * document's extra ones with our last one).
 */
export function compareShapes(real: ShapeNode, ours: ShapeNode, corpus: ShapeCorpus): ShapeDifference[] {
  const differences: ShapeDifference[] = [];
  const add = (key: string, detail = key) => differences.push({ key, detail });

  const walk = (r: ShapeNode, o: ShapeNode, path: string): void => {
    for (const attribute of r.attributes) {
      if (!o.attributes.includes(attribute)) add(`missing attribute ${path}@${attribute}`);
    }
    for (const attribute of o.attributes) {
      if (!r.attributes.includes(attribute)) add(`extra attribute ${path}@${attribute}`);
    }
    if (isEmpty(r)) return;
    if (r.children.length === 0 && o.children.length === 0) {
      const realFormat = valueFormat(r.text);
      const ourFormat = valueFormat(o.text);
      if (realFormat !== ourFormat && !corpus.hasFormat(path, ourFormat)) {
        add(
          `format ${path}: real ${realFormat}, ours ${ourFormat}`,
          `${path}: real '${r.text}', ours '${o.text}'`,
        );
      }
      return;
    }
    if (isEmpty(o)) {
      if (!corpus.hasFormat(path, 'empty')) {
        add(`empty ${path}: real has ${r.children.map((c) => c.name).join(', ') || 'text'}`);
      }
      return;
    }
    const realGroups = groupByName(r.children);
    const ourGroups = groupByName(o.children);
    const ourNamesLower = new Map([...ourGroups.keys()].map((name) => [name.toLowerCase(), name]));
    const realNamesLower = new Set([...realGroups.keys()].map((name) => name.toLowerCase()));
    for (const [name, realNodes] of realGroups) {
      const ourNodes = ourGroups.get(name);
      if (ourNodes === undefined) {
        const other = ourNamesLower.get(name.toLowerCase());
        if (other !== undefined) add(`casing ${path}/${name}: ours ${other}`);
        else add(`missing ${path}/${name}`);
        continue;
      }
      realNodes.forEach((node, index) => {
        const counterpart = ourNodes[Math.min(index, ourNodes.length - 1)] as ShapeNode;
        walk(node, counterpart, `${path}/${name}`);
      });
    }
    for (const name of ourGroups.keys()) {
      const extra = !realGroups.has(name) && !realNamesLower.has(name.toLowerCase());
      if (extra && !corpus.hasPath(`${path}/${name}`)) add(`extra ${path}/${name}`);
    }
    // Order among siblings: each pair of neighbours in the real document (both in ours) keeps its order.
    const ourPosition = new Map<string, number>();
    o.children.forEach((child, index) => {
      if (!ourPosition.has(child.name)) ourPosition.set(child.name, index);
    });
    const common = [...realGroups.keys()].filter((name) => ourPosition.has(name));
    for (let i = 1; i < common.length; i++) {
      const before = common[i - 1] as string;
      const after = common[i] as string;
      const reversed = (ourPosition.get(before) ?? 0) > (ourPosition.get(after) ?? 0);
      if (reversed && !corpus.hasOrder(path, after, before)) {
        add(`order ${path}: real ${before} before ${after}, ours after`);
      }
    }
  };

  if (real.name !== ours.name) add(`root: real ${real.name}, ours ${ours.name}`);
  else walk(real, ours, real.name);
  return differences;
}

/**
 * How the simulator's callback form fields differ from a real POST's: a real field ours lacks, and
 * (as for documents) a field ours adds or a value format of ours that no POST of `corpus` shows. Field
 * order carries no meaning in a form body; the `xml` field is compared as a document of its own.
 */
export function compareFormFields(
  real: Readonly<Record<string, string>>,
  ours: Readonly<Record<string, string>>,
  corpus: ShapeCorpus,
): ShapeDifference[] {
  const differences: ShapeDifference[] = [];
  const fold = (fields: Readonly<Record<string, string>>) =>
    new Map(Object.entries(fields).map(([name, value]) => [formPath(name), value]));
  const realFields = fold(real);
  const ourFields = fold(ours);
  const field = (path: string) => `field ${path.slice('form/'.length)}`;
  for (const [path, value] of realFields) {
    if (path === 'form/xml') continue;
    const ourValue = ourFields.get(path);
    if (ourValue === undefined) {
      differences.push({ key: `missing ${field(path)}`, detail: `missing ${field(path)} (real '${value}')` });
      continue;
    }
    const realFormat = valueFormat(value);
    const ourFormat = valueFormat(ourValue);
    if (realFormat !== 'empty' && realFormat !== ourFormat && !corpus.hasFormat(path, ourFormat)) {
      differences.push({
        key: `format ${field(path)}: real ${realFormat}, ours ${ourFormat}`,
        detail: `${field(path)}: real '${value}', ours '${ourValue}'`,
      });
    }
  }
  for (const path of ourFields.keys()) {
    if (!realFields.has(path) && !corpus.hasPath(path)) {
      differences.push({ key: `extra ${field(path)}`, detail: `extra ${field(path)}` });
    }
  }
  return differences;
}
