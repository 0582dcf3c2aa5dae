import type { Node } from './model';

// Typed attribute getters. They return the default when the attribute is absent and throw a plain Error
// when it has another type (a programming error or a corrupt graph, caught by the caller's context).

export function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'int') throw new Error(`${node.name}: attribute ${name} is ${a.type}, expected int`);
  return a.value;
}

export function intsAttr(node: Node, name: string): readonly number[] | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== 'ints') throw new Error(`${node.name}: attribute ${name} is ${a.type}, expected ints`);
  return a.value;
}

export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'float') throw new Error(`${node.name}: attribute ${name} is ${a.type}, expected float`);
  return a.value;
}

export function stringAttr(node: Node, name: string, fallback: string): string {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'string') throw new Error(`${node.name}: attribute ${name} is ${a.type}, expected string`);
  return a.value;
}
