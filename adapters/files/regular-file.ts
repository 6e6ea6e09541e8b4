import { constants, type Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/**
 * The files source reads only regular files reached without symlinks, and only so many bytes.
 *
 * - A symlink could lead outside the warehouse root (to /etc, to another tenant's data), so neither a
 *   symlinked directory nor a symlinked file is followed: directories are checked with lstat, files
 *   are opened with O_NOFOLLOW (the kernel refuses a symlink as the last component).
 * - A FIFO named like a metadata file would block open() until a writer appears — forever, holding a
 *   thread of Node's file-system pool, so no later read (and no shutdown) could proceed. O_NONBLOCK
 *   makes that open return at once; fstat then shows it is no regular file and nothing is read.
 *   Devices and sockets are refused the same way.
 * - A file above the limit is refused from its size, before a byte is read.
 */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'not-a-regular-file' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The whole file, when it is a regular file of at most maxBytes reached without a final symlink. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw notRegular(path, 'a symbolic link');
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(path, kindOf(info));
    if (info.size > maxBytes) throw tooLarge(path, maxBytes, info.size);
    // Read at most one byte past the limit: a file growing while it is read is still bounded.
    const buffer = Buffer.allocUnsafe(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(path, maxBytes);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

export type EntryKind = 'directory' | 'missing' | 'symlink' | 'other';

/** What is at path, without following a symlink there. */
export async function entryKind(path: string): Promise<EntryKind> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
  if (info.isSymbolicLink()) return 'symlink';
  return info.isDirectory() ? 'directory' : 'other';
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a directory';
  return 'not a regular file';
}

export function notRegular(path: string, what: string): UnreadableFileError {
  return new UnreadableFileError(path, 'not-a-regular-file', `${path} is ${what}; the files source reads only regular files reached without symlinks`);
}

export function tooLarge(path: string, maxBytes: number, size?: number): UnreadableFileError {
  const actual = size === undefined ? 'more than that' : `${size} bytes`;
  return new UnreadableFileError(path, 'too-large', `${path} is larger than the ${maxBytes}-byte limit (${actual}); raise maxMetadataBytes if it is real metadata`);
}
