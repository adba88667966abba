import { deflateSync } from 'node:zlib';

/**
 * Writes a Qt binary resource file (format version 3) so tests can build
 * archives like gcompris's without Qt tools. Test support only: the product
 * never writes .rcc files. Children are laid out breadth-first, as rcc does.
 */
export interface RccInputFile {
  /** `a/b/c.ogg` (no leading slash). */
  path: string;
  bytes: Uint8Array;
  compress?: boolean;
}

interface Dir {
  name: string;
  dirs: Map<string, Dir>;
  files: Array<{ name: string; file: RccInputFile }>;
}

export function writeRcc(files: readonly RccInputFile[]): Uint8Array {
  const root: Dir = { name: '', dirs: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part);
      if (!next) {
        next = { name: part, dirs: new Map(), files: [] };
        dir.dirs.set(part, next);
      }
      dir = next;
    }
    dir.files.push({ name: parts[parts.length - 1], file });
  }
  const names: number[] = [];
  const nameOffsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    const known = nameOffsets.get(name);
    if (known !== undefined) return known;
    const at = names.length;
    names.push(name.length >> 8, name.length & 0xff, 0, 0, 0, 0); // length, then a hash we do not need
    for (let i = 0; i < name.length; i += 1) names.push(name.charCodeAt(i) >> 8, name.charCodeAt(i) & 0xff);
    nameOffsets.set(name, at);
    return at;
  };
  const data: number[] = [];
  const nodes: number[][] = [];
  // Breadth-first: each directory's children get consecutive node indices.
  const queue: Array<{ dir: Dir; index: number }> = [{ dir: root, index: 0 }];
  nodes.push([]);
  while (queue.length > 0) {
    const { dir, index } = queue.shift()!;
    const children: Array<Dir | { name: string; file: RccInputFile }> = [...dir.dirs.values(), ...dir.files];
    const first = nodes.length;
    nodes[index] = node(index === 0 ? 0 : nameOffset(dir.name), 2, [u32(children.length), u32(first)]);
    children.forEach((child, i) => {
      nodes.push([]);
      if ('dirs' in child) {
        queue.push({ dir: child, index: first + i });
      } else {
        const dataAt = data.length;
        const payload = child.file.compress
          ? Uint8Array.from([...u32(child.file.bytes.length), ...deflateSync(child.file.bytes)])
          : child.file.bytes;
        data.push(...u32(payload.length), ...payload);
        nodes[first + i] = node(nameOffset(child.name), child.file.compress ? 1 : 0, [[0, 0, 0, 0], u32(dataAt)]);
      }
    });
  }
  const headerBytes = 24;
  const tree = nodes.flat();
  const treeOffset = headerBytes;
  const dataOffset = treeOffset + tree.length;
  const namesOffset = dataOffset + data.length;
  const header = [...'qres'].map((c) => c.charCodeAt(0)).concat(u32(3), u32(treeOffset), u32(dataOffset), u32(namesOffset), u32(0));
  return Uint8Array.from([...header, ...tree, ...data, ...names]);
}

function node(nameOffset: number, flags: number, rest: number[][]): number[] {
  return [...u32(nameOffset), flags >> 8, flags & 0xff, ...rest.flat(), 0, 0, 0, 0, 0, 0, 0, 0];
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
