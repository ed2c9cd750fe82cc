import { titleSimilarity, titleTokens } from '../../src/domain/dedup';
import { decodeGeohash, encodeGeohash, neighbourCells } from '../../src/domain/normalise';

describe('titleSimilarity', () => {
  it('ignores word order', () => {
    expect(titleSimilarity('Quartet X – Jazz Night', 'Jazz Night: Quartet X')).toBe(1);
  });

  it('ignores years and edition marks', () => {
    expect(titleTokens('The 10th Annual Techno Tuesday #12 vol. 3 2027')).toEqual(['techno', 'tuesday']);
    expect(titleSimilarity('PyCon US 2027', 'PyCon US')).toBe(1);
    expect(titleSimilarity('Berlin Marathon 2027', 'The 43rd Berlin Marathon')).toBe(1);
  });

  it("removes the record's own venue and city words before comparing", () => {
    const place = { a: ['Kulturbrauerei', 'Berlin'] };
    expect(titleSimilarity('Jazz Night at Kulturbrauerei Berlin', 'Jazz Night', place)).toBe(1);
    expect(titleSimilarity('Jazz Night at Kulturbrauerei Berlin', 'Jazz Night')).toBeLessThan(0.85);
  });

  it('tolerates words written together or apart, and a subtitle', () => {
    expect(titleSimilarity('Vue.js Amsterdam', 'VueJS Amsterdam 2027')).toBeGreaterThan(0.7);
    expect(titleSimilarity('Open Source Summit', 'Open Source Summit: the Linux Foundation conference')).toBeGreaterThan(0.6);
  });

  it('keeps different events apart', () => {
    expect(titleSimilarity('JSConf EU', 'React Summit')).toBe(0);
    expect(titleSimilarity('Jazz Night', 'Rock Night')).toBeLessThan(0.6);
  });
});

describe('geohash', () => {
  it('encodes Berlin at precision 4 and decodes to bounds around it', () => {
    expect(encodeGeohash(52.52, 13.405)).toBe('u33d');
    const box = decodeGeohash('u33d');
    expect(box.latMin).toBeLessThan(52.52);
    expect(box.latMax).toBeGreaterThan(52.52);
    expect(box.lonMin).toBeLessThan(13.405);
    expect(box.lonMax).toBeGreaterThan(13.405);
  });

  it('lists the eight neighbours, wrapping at the antimeridian', () => {
    const around = neighbourCells('u33d');
    expect(around).toHaveLength(8);
    expect(around).not.toContain('u33d');
    // a point just across the cell's eastern edge
    const { lonMax, latMin, latMax } = decodeGeohash('u33d');
    expect(around).toContain(encodeGeohash((latMin + latMax) / 2, lonMax + 0.01));
    const east = encodeGeohash(0, 179.99);
    expect(neighbourCells(east)).toContain(encodeGeohash(0, -179.99));
  });
});
