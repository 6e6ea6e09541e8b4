// How the emulator keys namespaces and tables, and names a table in Polaris's messages.

// U+001F is Polaris's own namespace separator in URLs, so it cannot appear inside a level.
export const nsKey = (levels: readonly string[]): string => levels.join('\u001f');
export const tableKey = (namespace: readonly string[], name: string): string => `${nsKey(namespace)}\u0000${name}`;

/** TableIdentifier.toString() in Iceberg: levels and name joined by '.'. */
export const identifier = (namespace: readonly string[], name: string): string => [...namespace, name].join('.');
