/**
 * A geohash encoder, small enough not to need a package. Blocking only needs cells and their neighbours:
 * precision 4 is about 20 × 40 km at mid latitudes, so two listings of one venue, however geocoded, land in the
 * same cell or an adjacent one.
 */
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** the cell size used for candidate blocking */
export const BLOCKING_PRECISION = 4;

export function encodeGeohash(latitude: number, longitude: number, precision = BLOCKING_PRECISION): string {
  let [latMin, latMax, lonMin, lonMax] = [-90, 90, -180, 180];
  let hash = '';
  let bits = 0;
  let value = 0;
  let evenBit = true;
  while (hash.length < precision) {
    if (evenBit) {
      const mid = (lonMin + lonMax) / 2;
      value = value * 2 + (longitude >= mid ? 1 : 0);
      if (longitude >= mid) lonMin = mid;
      else lonMax = mid;
    } else {
      const mid = (latMin + latMax) / 2;
      value = value * 2 + (latitude >= mid ? 1 : 0);
      if (latitude >= mid) latMin = mid;
      else latMax = mid;
    }
    evenBit = !evenBit;
    if (++bits === 5) {
      hash += BASE32[value];
      bits = 0;
      value = 0;
    }
  }
  return hash;
}

/** the cell's bounds */
export function decodeGeohash(cell: string): { latMin: number; latMax: number; lonMin: number; lonMax: number } {
  let [latMin, latMax, lonMin, lonMax] = [-90, 90, -180, 180];
  let evenBit = true;
  for (const char of cell.toLowerCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new RangeError(`not a geohash: ${cell}`);
    for (let bit = 4; bit >= 0; bit--) {
      const on = ((index >> bit) & 1) === 1;
      if (evenBit) {
        const mid = (lonMin + lonMax) / 2;
        if (on) lonMin = mid;
        else lonMax = mid;
      } else {
        const mid = (latMin + latMax) / 2;
        if (on) latMin = mid;
        else latMax = mid;
      }
      evenBit = !evenBit;
    }
  }
  return { latMin, latMax, lonMin, lonMax };
}

/**
 * The (up to) eight cells around one, same precision: a place near a cell's edge has its duplicates across it.
 * Longitude wraps at the antimeridian; there is nothing beyond the poles.
 */
export function neighbourCells(cell: string): string[] {
  const { latMin, latMax, lonMin, lonMax } = decodeGeohash(cell);
  const [height, width] = [latMax - latMin, lonMax - lonMin];
  const [lat, lon] = [(latMin + latMax) / 2, (lonMin + lonMax) / 2];
  const cells = new Set<string>();
  for (const dLat of [-1, 0, 1]) {
    for (const dLon of [-1, 0, 1]) {
      if (dLat === 0 && dLon === 0) continue;
      const nLat = lat + dLat * height;
      if (nLat <= -90 || nLat >= 90) continue;
      const nLon = ((((lon + dLon * width + 180) % 360) + 360) % 360) - 180;
      cells.add(encodeGeohash(nLat, nLon, cell.length));
    }
  }
  cells.delete(cell);
  return [...cells];
}

/** great-circle distance in kilometres */
export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
