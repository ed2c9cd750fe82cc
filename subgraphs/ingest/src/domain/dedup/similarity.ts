/**
 * Title similarity for deduplication. Two listings of one event differ in word order ("Jazz Night: Quartet X"
 * / "Quartet X – Jazz Night"), in edition marks ("2027", "10th", "#12", "vol. 3"), and in whether they name
 * the venue or city ("… at Kulturbrauerei", "… Berlin"). Those are removed before comparing; what is left is
 * compared as sets of words (order-free) and as character trigrams (typos, plural, compound words).
 */

const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'of',
  'at',
  'in',
  'on',
  'to',
  'for',
  'with',
  'by',
  'from',
  'vs',
  'v',
  'x',
  'live',
  'presents',
  'presented',
  'feat',
  'ft',
  'featuring',
  'official',
  'edition',
  'annual',
  'event',
  'tickets',
  'der',
  'die',
  'das',
  'und',
  'im',
  'am',
  'mit',
  'von',
  'zum',
  'zur',
  'le',
  'la',
  'les',
  'de',
  'du',
  'des',
  'et',
  'el',
  'los',
  'las',
  'y',
  'en',
  'il',
  'di',
  'e',
  'het',
  'een',
  'op',
]);

/** edition marks, removed before tokenising: "#12", "no. 4", "vol. 3", "part 2", "10th", "2027", "'27" */
const EDITION_MARKS = [
  /#\s*\d+/g,
  /\b(?:no|nr|vol|volume|part|teil|ep|episode|edition|ausgabe|session|round|season|day|tag|week)\b\.?\s*\d+\b/gi,
  /\b\d+\s*(?:st|nd|rd|th|e|er|te|ten|ème|eme)\b/gi,
  /\b(?:19|20)\d{2}\b/g,
  /['’]\d{2}\b/g,
  /\b(?:i{1,3}|iv|v|vi{1,3}|ix|x{1,3})\b(?=\s*$)/gi,
];

export const foldText = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/&/g, ' and ');

/** a title's distinctive words: folded, edition marks and stop words removed, in order */
export function titleTokens(title: string, placeWords: Iterable<string> = []): string[] {
  let text = foldText(title);
  for (const mark of EDITION_MARKS) text = text.replace(mark, ' ');
  const place = new Set<string>();
  for (const words of placeWords) for (const word of foldText(words).split(/[^a-z0-9]+/)) if (word) place.add(word);
  const tokens = text.split(/[^a-z0-9]+/).filter((t) => t && !STOP_WORDS.has(t) && !/^\d+$/.test(t));
  const withoutPlace = tokens.filter((t) => !place.has(t));
  // a title that is nothing but its venue's name ("Kulturbrauerei") keeps it: it is all there is to compare
  return withoutPlace.length > 0 ? withoutPlace : tokens;
}

function dice<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** the share of the smaller set found in the larger: a subtitle added by one listing costs little */
function overlap<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / Math.min(a.size, b.size);
}

function trigrams(tokens: string[]): Set<string> {
  const grams = new Set<string>();
  for (const token of [...tokens].sort()) {
    const padded = `  ${token} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

/** near-equal words count as one: "meetup"/"meetups", "colour"/"color" */
function fuzzyTokenSet(a: string[], b: string[]): [Set<string>, Set<string>] {
  const setB = new Set(b);
  const mapped = a.map((token) => {
    if (setB.has(token)) return token;
    const twin = b.find((other) => other.length >= 4 && token.length >= 4 && nearlyEqual(token, other));
    return twin ?? token;
  });
  return [new Set(mapped), setB];
}

function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (long.startsWith(short) && long.length - short.length <= 2) return true;
  return editDistance(a, b) <= (long.length >= 8 ? 2 : 1);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * 0..1: how alike two titles are once edition marks, stop words and each side's place words are gone. Word sets
 * (Dice, with a smaller bonus when one title contains the other) and trigrams are averaged, so one shared word
 * in two short titles is not enough.
 */
export function titleSimilarity(a: string, b: string, placeWords: { a?: Iterable<string>; b?: Iterable<string> } = {}): number {
  const both = [...(placeWords.a ?? []), ...(placeWords.b ?? [])];
  const tokensA = titleTokens(a, both);
  const tokensB = titleTokens(b, both);
  if (tokensA.length === 0 || tokensB.length === 0) return 0;
  const [setA, setB] = fuzzyTokenSet(tokensA, tokensB);
  const words = dice(setA, setB);
  const contained = Math.min(setA.size, setB.size) >= 2 ? overlap(setA, setB) * 0.9 : 0;
  // sorted tokens for word order; joined in order for words written apart or together ("Vue.js" / "VueJS")
  const grams = Math.max(
    dice(trigrams(tokensA), trigrams(tokensB)),
    dice(trigrams([tokensA.join('')]), trigrams([tokensB.join('')])),
  );
  return Math.min(1, 0.5 * Math.max(words, contained) + 0.5 * grams);
}
