import iconv from 'iconv-lite';
import { FeedError } from '../records';

/**
 * Bytes to text. Feeds lie about their encoding often enough that the order matters: a byte-order
 * mark is proof; the XML declaration was written by whoever produced the bytes; the HTTP charset is
 * often a server default; and bytes that are not valid UTF-8 are read as windows-1252 (a superset of
 * ISO-8859-1 for every printable character, as browsers do).
 */
export function decodeBody(body: Buffer, contentType?: string): string {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return body.subarray(3).toString('utf8');
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return iconv.decode(body.subarray(2), 'utf-16le');
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return iconv.decode(body.subarray(2), 'utf-16be');
  const declared = xmlDeclaredEncoding(body) ?? charsetOf(contentType);
  const encoding = declared && iconv.encodingExists(declared) ? normaliseEncoding(declared) : undefined;
  if (encoding && encoding !== 'utf8') return iconv.decode(body, encoding);
  const text = body.toString('utf8');
  // U+FFFD means bytes that are no UTF-8: a Latin-1 or windows-1252 file served without a label
  if (text.includes('\uFFFD') && !encoding) return iconv.decode(body, 'windows-1252');
  return text;
}

function normaliseEncoding(name: string): string {
  const lower = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (lower === 'utf8') return 'utf8';
  // the WHATWG rule: a label of ISO-8859-1 or US-ASCII means windows-1252
  if (lower === 'iso88591' || lower === 'latin1' || lower === 'usascii' || lower === 'ascii') return 'windows-1252';
  return name;
}

function xmlDeclaredEncoding(body: Buffer): string | undefined {
  const head = body.subarray(0, 200).toString('latin1');
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
}

function charsetOf(contentType?: string): string | undefined {
  return contentType ? /charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType)?.[1] : undefined;
}

/** An HTML page (an error page, a login wall, a "moved" notice) where a feed was expected. */
export function looksLikeHtml(text: string, contentType?: string): boolean {
  if (contentType && /^\s*text\/html/i.test(contentType) && !/^\s*(<\?xml|BEGIN:VCALENDAR)/i.test(text)) return true;
  return /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 1000));
}

export const notAFeed = (what: string) =>
  new FeedError('NOT_A_FEED', `Expected ${what} but got an HTML page: the URL may point to a web page or an error page`);
