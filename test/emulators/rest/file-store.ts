// Where the emulator's metadata files go when another process must read them: file:// URIs written to
// local disk (the Polaris emulator reads file:// metadata as Polaris reads shared storage).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function writeMetadataFile(uri: string, text: string): Promise<void> {
  const path = fileURLToPath(uri);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
