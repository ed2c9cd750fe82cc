import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * GraphiQL and React as the packages ship them (UMD builds), served by the gateway itself: no CDN, so the IDE
 * works offline and on networks that block third-party scripts.
 */
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

interface Asset {
  file: () => string;
  type: string;
}

const SCRIPT = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, Asset> = {
  'react.js': { file: () => join(packageDir('react'), 'umd', 'react.production.min.js'), type: SCRIPT },
  'react-dom.js': { file: () => join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), type: SCRIPT },
  'graphiql.js': { file: () => join(packageDir('graphiql'), 'graphiql.min.js'), type: SCRIPT },
  'graphiql.css': { file: () => join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
};

export const ASSET_NAMES = Object.keys(ASSETS);

const loaded = new Map<string, Promise<Buffer>>();

/** The asset's bytes and content type (read once, on first use), or undefined for an unknown name. */
export async function readAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return undefined;
  let body = loaded.get(name);
  if (!body) {
    body = readFile(asset.file());
    loaded.set(name, body);
    body.catch(() => loaded.delete(name));
  }
  return { body: await body, type: asset.type };
}
